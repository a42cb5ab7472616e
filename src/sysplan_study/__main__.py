"""Allow `python -m sysplan_study`."""

from sysplan_study.cli import main

if __name__ == "__main__":
    main()
