"""How results are shown: reports (tables and sentences), the one output path (rich, JSON, CSV, TSV),
pictures, the explorable page and the notebook display."""
