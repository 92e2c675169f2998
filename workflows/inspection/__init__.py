"""职工代表巡视: representatives inspect how resolutions, proposals, disclosures and contracts are carried out."""
