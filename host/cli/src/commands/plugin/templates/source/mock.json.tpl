{
  "employees": [
    {
      "number": "1001",
      "first_name": "Anna",
      "last_name": "Berg",
      "email": "anna.berg@example.org",
      "department": { "code": "IC", "name": "Intensive Care" },
      "job": { "code": "VPK", "name": "Verpleegkundige" },
      "start": "2024-02-01",
      "end": null
    },
    {
      "first_name": "Nobody",
      "last_name": "Without-Number"
    }
  ],
  "next": 2
}
