"""What leaves the restricted zone: redaction and masking (the gate every published text
passes) and anonymized need cards with k-anonymity over a set of cards."""
