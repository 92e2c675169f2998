"""Democratic-management domain: roster, congress, ballots, contracts, disclosure."""
