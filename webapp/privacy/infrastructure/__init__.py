"""Personal data at rest and in logs: field encryption, the keyed person hash, the rotating
key ring and the logging filter."""
