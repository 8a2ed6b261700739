"""Services of the wijken app, one module per area (the app outgrew one services.py):
membership (roles in a zone), contact (citizen messages to a wijkagent), assignments and spreekuren (staff)."""
