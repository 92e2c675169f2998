"""The workers' congress (职工代表大会): roster, meetings and votes, proposals and resolutions."""
