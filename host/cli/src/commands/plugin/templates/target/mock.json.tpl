{
  "accounts": [
    {
      "id": "a-17",
      "username": "aberg",
      "active": true,
      "attributes": { "display_name": "Anna Berg", "department": "IC" },
      "groups": ["g-ic", "g-all"]
    },
    {
      "id": "a-18",
      "username": "bdijk",
      "active": false,
      "attributes": {},
      "groups": []
    }
  ],
  "next": null
}
