
      export type PossibleTypesResultData = {
  "possibleTypes": {
    "Node": [
      "Action",
      "Connection",
      "Organization",
      "Provider"
    ]
  }
};
      const result: PossibleTypesResultData = {
  "possibleTypes": {
    "Node": [
      "Action",
      "Connection",
      "Organization",
      "Provider"
    ]
  }
};
      export default result;
    