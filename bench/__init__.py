"""`make bench` / `usermgmt bench`: speed, cost and cold start against baselines, in one run."""
