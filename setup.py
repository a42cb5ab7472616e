"""Build hook: ship the top-level content/ decks inside the wheel as sysplan_study/content/."""
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildWithContent(build_py):
    """Copy content/*.yaml into the built package so installed copies find their decks."""

    def run(self) -> None:
        super().run()
        src = Path(__file__).parent / "content"
        dest = Path(self.build_lib) / "sysplan_study" / "content"
        dest.mkdir(parents=True, exist_ok=True)
        for deck in sorted(src.glob("*.yaml")):
            self.copy_file(str(deck), str(dest / deck.name))


setup(cmdclass={"build_py": BuildWithContent})
