"""The words graphdiff speaks in: errors with source positions and exit codes (``errors``), and how
numbers, derivatives and expression texts are written (``notation``). Everything else imports from here;
this layer imports nothing of graphdiff."""
