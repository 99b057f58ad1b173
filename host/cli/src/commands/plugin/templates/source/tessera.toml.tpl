id = "{{name}}"

[[config]]
name = "base_url"
type = "url"
required = true
description = "The HR system's API address; employees come from <base_url>/employees."

[capabilities]
# The operator grants the origin of base_url; nothing else is reachable.
http_config = ["base_url"]
