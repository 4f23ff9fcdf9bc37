"""Personal-data detection, redaction and anonymized summaries (no Flask imports).

- ``detection``: normalisation and the detectors (``detection.detect`` runs them all);
- ``publishing``: redaction and anonymized need cards, what the web layer calls before
  anything is published;
- ``quality``: the labelled corpus and the evaluation of detection;
- ``infrastructure``: field encryption, the key ring and the log filter.
"""
