"""GS1 standards for the ledger: EPCIS 2.0 out (export.py) and in (capture.py), the shared vocabulary
(vocabulary.py, locations.yaml), the journey with its FSMA 204 Key Data Elements (journey.py) and the
FSMA 204 sortable spreadsheet (fsma204.py). All reads and writes go through the service layer."""
