"""`make bench`: answer quality, speed and memory, side by side with baselines."""
