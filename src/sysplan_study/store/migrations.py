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

    @migrations()
    def m005_fsrs_card_state(db: Any) -> None:
        # FSRS memory of a card (NULL while SM-2 is in force) and the study day of its last scheduling review.
        # Which scheduler is in force is the `scheduler` setting, changed only together with a replay of every
        # card_state row from the log (one transaction), so the rows always belong to the scheduler named there.
        db.execute("ALTER TABLE card_state ADD COLUMN stability REAL")
        db.execute("ALTER TABLE card_state ADD COLUMN difficulty REAL")
        db.execute("ALTER TABLE card_state ADD COLUMN last_day TEXT")

    @migrations()
    def m006_item_memory(db: Any) -> None:
        # How many items a self-graded answer tested from memory (each gets the card's grade); NULL when it tested
        # none (a choice question) or only the items in its item_result rows (typed), and in older rows.
        db.execute("ALTER TABLE review_log ADD COLUMN tested INTEGER")
        # Every list item's FSRS memory, updated in the transaction of each answer that tests it.
        db.execute(
            """CREATE TABLE item_state (
                card_id TEXT NOT NULL,
                item INTEGER NOT NULL,
                stability REAL NOT NULL,
                difficulty REAL NOT NULL,
                last_day TEXT NOT NULL,
                PRIMARY KEY (card_id, item)
            ) WITHOUT ROWID"""
        )
        # A home with no answers yet has every item memory already (none): older homes build theirs from the log
        # once, with the decks at hand (store/item_states.py ensure_built).
        db.execute("INSERT INTO setting (key, value) SELECT 'item_states', '1' WHERE NOT EXISTS "
                   "(SELECT 1 FROM review_log)")

    @migrations()
    def m007_stats_aggregates(db: Any) -> None:
        # Running totals that `stats`, leeches and the weakest items read instead of scanning the whole log: per
        # card, per (card, item), per study day and per (study day, deck id prefix of the card id). Triggers keep
        # them in step with review_log and item_result on every insert, delete and update, so answers, undo, reset
        # and import need no code of their own; this migration fills them from the rows already there.
        lapse = "coalesce({r}.mode = 'review' AND {r}.grade < 3 AND {r}.rep_before >= 1, 0)"
        prefix = "substr({r}.card_id, 1, instr({r}.card_id, '.') - 1)"
        db.execute(
            """CREATE TABLE card_stat (
                card_id TEXT PRIMARY KEY,
                answers INTEGER NOT NULL,
                reviews INTEGER NOT NULL,
                passes INTEGER NOT NULL,
                lapses INTEGER NOT NULL,
                last_day TEXT NOT NULL,
                last_review TEXT
            ) WITHOUT ROWID"""
        )
        db.execute("CREATE INDEX idx_card_stat_lapses ON card_stat(lapses) WHERE lapses > 0")
        db.execute("CREATE INDEX idx_card_stat_last_day ON card_stat(last_day)")
        db.execute("CREATE TABLE day_stat (study_day TEXT PRIMARY KEY, answers INTEGER NOT NULL) WITHOUT ROWID")
        db.execute(
            """CREATE TABLE deck_day_stat (
                study_day TEXT NOT NULL,
                deck TEXT NOT NULL,
                answers INTEGER NOT NULL,
                reviews INTEGER NOT NULL,
                passes INTEGER NOT NULL,
                PRIMARY KEY (study_day, deck)
            ) WITHOUT ROWID"""
        )
        db.execute(
            """CREATE TABLE item_stat (
                card_id TEXT NOT NULL,
                item INTEGER NOT NULL,
                item_text TEXT NOT NULL,
                missed INTEGER NOT NULL,
                attempts INTEGER NOT NULL,
                PRIMARY KEY (card_id, item)
            ) WITHOUT ROWID"""
        )
        db.execute("CREATE INDEX idx_item_stat_missed ON item_stat(missed DESC, attempts DESC, card_id, item) "
                   "WHERE missed > 0")
        db.execute("CREATE INDEX idx_item_stat_card ON item_stat(card_id, missed DESC, item) WHERE missed > 0")
        # Due cards as ids straight from the index (listing decks, planning a review), no row lookup per card.
        db.execute("DROP INDEX IF EXISTS idx_state_due")
        db.execute("CREATE INDEX idx_state_due_card ON card_state(due, card_id)")

        def add_log(r: str) -> str:
            return f"""
            INSERT INTO card_stat (card_id, answers, reviews, passes, lapses, last_day, last_review)
              VALUES ({r}.card_id, 1, {r}.mode = 'review', {r}.mode = 'review' AND {r}.grade >= 3,
                      {lapse.format(r=r)}, {r}.study_day, CASE WHEN {r}.mode = 'review' THEN {r}.study_day END)
              ON CONFLICT(card_id) DO UPDATE SET answers = answers + 1, reviews = reviews + excluded.reviews,
                passes = passes + excluded.passes, lapses = lapses + excluded.lapses,
                last_day = max(last_day, excluded.last_day),
                last_review = coalesce(max(last_review, excluded.last_review), last_review, excluded.last_review);
            INSERT INTO day_stat (study_day, answers) VALUES ({r}.study_day, 1)
              ON CONFLICT(study_day) DO UPDATE SET answers = answers + 1;
            INSERT INTO deck_day_stat (study_day, deck, answers, reviews, passes)
              VALUES ({r}.study_day, {prefix.format(r=r)}, 1, {r}.mode = 'review',
                      {r}.mode = 'review' AND {r}.grade >= 3)
              ON CONFLICT(study_day, deck) DO UPDATE SET answers = answers + 1, reviews = reviews + excluded.reviews,
                passes = passes + excluded.passes;"""

        def remove_log(r: str) -> str:
            return f"""
            UPDATE card_stat SET answers = answers - 1, reviews = reviews - ({r}.mode = 'review'),
                passes = passes - ({r}.mode = 'review' AND {r}.grade >= 3), lapses = lapses - {lapse.format(r=r)},
                last_day = coalesce((SELECT max(study_day) FROM review_log WHERE card_id = {r}.card_id), ''),
                last_review = (SELECT max(study_day) FROM review_log WHERE card_id = {r}.card_id AND mode = 'review')
              WHERE card_id = {r}.card_id;
            DELETE FROM card_stat WHERE card_id = {r}.card_id AND answers <= 0;
            UPDATE day_stat SET answers = answers - 1 WHERE study_day = {r}.study_day;
            DELETE FROM day_stat WHERE study_day = {r}.study_day AND answers <= 0;
            UPDATE deck_day_stat SET answers = answers - 1, reviews = reviews - ({r}.mode = 'review'),
                passes = passes - ({r}.mode = 'review' AND {r}.grade >= 3)
              WHERE study_day = {r}.study_day AND deck = {prefix.format(r=r)};
            DELETE FROM deck_day_stat WHERE study_day = {r}.study_day AND deck = {prefix.format(r=r)}
              AND answers <= 0;"""

        def add_item(r: str) -> str:
            return f"""
            INSERT INTO item_stat (card_id, item, item_text, missed, attempts)
              VALUES ({r}.card_id, {r}.item, {r}.item_text, 1 - {r}.recalled, 1)
              ON CONFLICT(card_id, item) DO UPDATE SET item_text = max(item_text, excluded.item_text),
                missed = missed + excluded.missed, attempts = attempts + 1;"""

        def remove_item(r: str) -> str:
            return f"""
            UPDATE item_stat SET missed = missed - (1 - {r}.recalled), attempts = attempts - 1,
                item_text = coalesce((SELECT max(item_text) FROM item_result
                                      WHERE card_id = {r}.card_id AND item = {r}.item), item_text)
              WHERE card_id = {r}.card_id AND item = {r}.item;
            DELETE FROM item_stat WHERE card_id = {r}.card_id AND item = {r}.item AND attempts <= 0;"""

        log_cols = "card_id, study_day, grade, mode, rep_before"
        db.execute(f"CREATE TRIGGER stat_log_insert AFTER INSERT ON review_log BEGIN {add_log('NEW')} END")
        db.execute(f"CREATE TRIGGER stat_log_delete AFTER DELETE ON review_log BEGIN {remove_log('OLD')} END")
        db.execute(f"CREATE TRIGGER stat_log_update AFTER UPDATE OF {log_cols} ON review_log "
                   f"BEGIN {remove_log('OLD')} {add_log('NEW')} END")
        db.execute(f"CREATE TRIGGER stat_item_insert AFTER INSERT ON item_result BEGIN {add_item('NEW')} END")
        db.execute(f"CREATE TRIGGER stat_item_delete AFTER DELETE ON item_result BEGIN {remove_item('OLD')} END")
        db.execute("CREATE TRIGGER stat_item_update AFTER UPDATE OF card_id, item, item_text, recalled ON item_result "
                   f"BEGIN {remove_item('OLD')} {add_item('NEW')} END")
        db.execute(
            f"""INSERT INTO card_stat (card_id, answers, reviews, passes, lapses, last_day, last_review)
                SELECT card_id, count(*), sum(mode = 'review'), sum(mode = 'review' AND grade >= 3),
                       sum({lapse.format(r='review_log')}), max(study_day),
                       max(CASE WHEN mode = 'review' THEN study_day END)
                FROM review_log GROUP BY card_id"""
        )
        db.execute("INSERT INTO day_stat (study_day, answers) SELECT study_day, count(*) FROM review_log "
                   "GROUP BY study_day")
        db.execute(
            f"""INSERT INTO deck_day_stat (study_day, deck, answers, reviews, passes)
                SELECT study_day, {prefix.format(r='review_log')}, count(*), sum(mode = 'review'),
                       sum(mode = 'review' AND grade >= 3)
                FROM review_log GROUP BY 1, 2"""
        )
        db.execute("""INSERT INTO item_stat (card_id, item, item_text, missed, attempts)
                      SELECT card_id, item, max(item_text), sum(1 - recalled), count(*) FROM item_result
                      GROUP BY card_id, item""")

    @migrations()
    def m008_checked_fsrs_params(db: Any) -> None:
        # Stored FSRS parameters were checked by py-fsrs when they were written; a copy of the checked text beside
        # them lets a read trust them without importing py-fsrs (schedules.config_from). Parameters stored before
        # are checked here once: those py-fsrs refuses get no copy and stay checked on every read (and unused).
        from sysplan_study.store import schedules

        row = db.execute("SELECT value FROM setting WHERE key = ?", [schedules.PARAMS_KEY]).fetchone()
        if row and schedules.parse_parameters(row[0]) is not None:
            db.execute("INSERT OR REPLACE INTO setting (key, value) VALUES (?, ?)", [schedules.CHECKED_KEY, row[0]])

    @migrations()
    def m009_item_day_number(db: Any) -> None:
        # The day of each item memory's last answer as a stored whole number (julianday, so days between two are a
        # subtraction): the exam-day figure and the weakest items read every item memory, and parsing the date
        # text of each was a third of their time. Generated by SQLite from last_day, so no writer changes.
        db.execute(
            """CREATE TABLE item_state_new (
                card_id TEXT NOT NULL,
                item INTEGER NOT NULL,
                stability REAL NOT NULL,
                difficulty REAL NOT NULL,
                last_day TEXT NOT NULL,
                day_number INTEGER GENERATED ALWAYS AS (CAST(julianday(last_day) AS INTEGER)) STORED,
                PRIMARY KEY (card_id, item)
            ) WITHOUT ROWID"""
        )
        db.execute("INSERT INTO item_state_new (card_id, item, stability, difficulty, last_day) "
                   "SELECT card_id, item, stability, difficulty, last_day FROM item_state")
        db.execute("DROP TABLE item_state")
        db.execute("ALTER TABLE item_state_new RENAME TO item_state")

    return migrations


# The names of the migrations below, in order; checked with plain sqlite3 on open so that sqlite-utils (slow to
# import) is loaded only when there is something to apply. A test keeps this list equal to _migrations().
MIGRATION_NAMES = ("m001_initial", "m002_recall_settings", "m003_log_origin", "m004_suspended",
                   "m005_fsrs_card_state", "m006_item_memory", "m007_stats_aggregates", "m008_checked_fsrs_params",
                   "m009_item_day_number")
