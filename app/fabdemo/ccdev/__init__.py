"""Developing your own chaincode with the kit: scaffold a contract, watch it, and generate a client."""
