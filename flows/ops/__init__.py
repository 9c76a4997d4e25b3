"""Operations: the command line, scheduled serving, task runners, benchmark, evaluation."""
