"""The urgent-case workflow: intake, the state machine, transfers, deadlines, the joint
conference, the once-per-year rule and notifications. Every function flushes, never commits."""
