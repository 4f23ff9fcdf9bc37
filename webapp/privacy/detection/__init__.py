"""Finding personal data in text: normalisation, the detectors (numbers, addresses, names)
and the word lists they use; ``detect`` runs them all."""
