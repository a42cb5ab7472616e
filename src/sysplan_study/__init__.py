"""sysplan-study: terminal flashcards and SM-2 review for the 系统规划与管理师 exam."""

__version__ = "0.1.0"
