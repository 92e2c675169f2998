"""Collective contracts (集体合同): negotiation, drafts, adoption, filing, publication and renewal."""
