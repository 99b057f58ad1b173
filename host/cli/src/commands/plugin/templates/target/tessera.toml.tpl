id = "{{name}}"

[[config]]
name = "base_url"
type = "url"
required = true
description = "The system's API address; accounts are under <base_url>/accounts, groups under <base_url>/groups."

[capabilities]
# The operator grants the origin of base_url; nothing else is reachable.
http_config = ["base_url"]
