"""The numbered schema migrations (sqlite-utils `Migrations`): shipped ones are never edited, new ones appended."""

from __future__ import annotations

from typing import Any

MIGRATION_SET = "sysplan_study"


def _migrations() -> Any:
    """The numbered schema migrations. Shipped migrations are never edited: add a new one instead."""
    from sqlite_utils.migrations import Migrations

    migrations = Migrations(MIGRATION_SET)

    @migrations()
    def m001_initial(db: Any) -> None:
        db.execute(
            """CREATE TABLE card_state (
                card_id TEXT PRIMARY KEY,
                repetitions INTEGER NOT NULL,
                ef100 INTEGER NOT NULL,
                interval INTEGER NOT NULL,
                due TEXT NOT NULL,
                updated_at TEXT NOT NULL
            )"""
        )
        db.execute(
            """CREATE TABLE review_log (
                id INTEGER PRIMARY KEY,
                card_id TEXT NOT NULL,
                reviewed_at TEXT NOT NULL,
                study_day TEXT NOT NULL,
                grade INTEGER NOT NULL,
                mode TEXT NOT NULL,
                rep_before INTEGER, ef100_before INTEGER, interval_before INTEGER, due_before TEXT,
                rep_after INTEGER, ef100_after INTEGER, interval_after INTEGER, due_after TEXT,
                duration_ms INTEGER
            )"""
        )
        db.execute("CREATE INDEX idx_log_card ON review_log(card_id)")
        db.execute("CREATE INDEX idx_log_day ON review_log(study_day, mode)")
        db.execute("CREATE INDEX idx_state_due ON card_state(due)")

    @migrations()
    def m002_recall_settings(db: Any) -> None:
        db.execute("ALTER TABLE review_log ADD COLUMN hints INTEGER NOT NULL DEFAULT 0")
        db.execute("ALTER TABLE review_log ADD COLUMN recalled INTEGER")
        db.execute("ALTER TABLE review_log ADD COLUMN total INTEGER")
        db.execute("ALTER TABLE review_log ADD COLUMN capped_due TEXT")
        db.execute(
            """CREATE TABLE item_result (
                log_id INTEGER NOT NULL REFERENCES review_log(id) ON DELETE CASCADE,
                card_id TEXT NOT NULL,
                item INTEGER NOT NULL,
                item_text TEXT NOT NULL,
                recalled INTEGER NOT NULL,
                PRIMARY KEY (log_id, item)
            )"""
        )
        db.execute("CREATE INDEX idx_item_card ON item_result(card_id, item)")
        db.execute("CREATE TABLE setting (key TEXT PRIMARY KEY, value TEXT NOT NULL)")

    @migrations()
    def m003_log_origin(db: Any) -> None:
        # 'local' for answers given here, 'import' for rows merged from a progress file: undo never takes those.
        db.execute("ALTER TABLE review_log ADD COLUMN origin TEXT NOT NULL DEFAULT 'local'")
        db.execute("CREATE INDEX idx_log_origin ON review_log(origin, id)")

    @migrations()
    def m004_suspended(db: Any) -> None:
        # Suspended cards are never scheduled or counted as due; their state and log stay as they are.
        db.execute("CREATE TABLE suspended (card_id TEXT PRIMARY KEY, since TEXT NOT NULL)")

    return migrations


# The names of the migrations below, in order; checked with plain sqlite3 on open so that sqlite-utils (slow to
# import) is loaded only when there is something to apply. A test keeps this list equal to _migrations().
MIGRATION_NAMES = ("m001_initial", "m002_recall_settings", "m003_log_origin", "m004_suspended")
