/target
/contract.db
# Signing keys stay out of the repository.
*.key
