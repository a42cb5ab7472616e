"""More `sysplan` commands (quiz, stats, exam, export), kept apart so cli.py stays small."""
