"""Study logic without terminal I/O: sessions, quizzes, drills, grading of typed recall, the exam planner."""
