# What `tessera plugin test --case case.toml` creates, changes, grants and revokes in the
# system: an account the mock far system does not hold yet.
username = "cbakker"

[attributes]
display_name = "Cas Bakker"
department = "SEH"

[change]
department = "IC"

[entitlement]
kind = "group"
key = "g-ic"
