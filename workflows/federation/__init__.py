"""What a federation of trade unions (区/县总工会, 行业工会联合会) does above its member enterprises: the dashboard of
their democratic-management status and coverage rates, and regional and industry collective contracts."""
