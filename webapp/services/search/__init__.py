"""Search in the app: index documents built from the database (``documents``), the queries the
pages and the API run (``queries``), and the transactional outbox that keeps the index in step
with commits (``sync``). The engines themselves are the top-level ``search`` package."""
