"""The ground floor: errors, records, vocabulary, IRIs, media types, negotiation, settings
and resource paths. Imports nothing else from ``kg``; every other package may import it."""
