"""The union's casework: labour-dispute mediation (劳动争议调解), one case per record, on the generic engine."""
