"""Factory-affairs disclosure (厂务公开): catalogue and schedules, stages, workers' questions and ratings."""
