package contract

// ParameterNames gives the real parameter names of every transaction, in order.
// contractapi reflects them as param0..paramN; this table is used to produce
// contract-metadata/metadata.json and to name parameters in conversion errors.
// A unit test checks it against the reflected signatures.
var ParameterNames = map[string][]string{
	"InitRoles":           {"rolesJSON"},
	"GrantRole":           {"mspId", "role"},
	"RevokeRole":          {"mspId", "role"},
	"GetRoles":            {},
	"DefineProduct":       {"productId", "name", "minTempC", "maxTempC"},
	"GetProduct":          {"productId"},
	"ListProducts":        {},
	"HarvestLot":          {"lotId", "productId", "variety", "quantity", "unit", "farmName", "farmLocation", "plot", "harvestDate"},
	"RecordInput":         {"lotId", "inputType", "product", "dose", "appliedDate"},
	"AnchorCertificate":   {"lotId", "certId", "certType", "issuer", "sha256Hex", "validFrom", "validUntil"},
	"VerifyCertificate":   {"lotId", "certId", "sha256Hex"},
	"ProcessLot":          {"lotId", "step", "notes"},
	"SplitLot":            {"parentId", "childrenJSON"},
	"ProposeTransfer":     {"lotId", "toMsp", "carrier", "vehicle", "route"},
	"AcceptTransfer":      {"lotId"},
	"RejectTransfer":      {"lotId", "reason"},
	"CancelTransfer":      {"lotId"},
	"RecordCheckpoint":    {"lotId", "latitude", "longitude", "location", "note"},
	"RecordTemperature":   {"lotId", "celsius", "location"},
	"ReleaseQuarantine":   {"lotId", "reason"},
	"MarkSold":            {"lotId", "store"},
	"CheckAuthenticity":   {"lotId", "location"},
	"RecallLot":           {"lotId", "reason"},
	"SetPrice":            {"lotId"},
	"GetPrice":            {"lotId"},
	"VerifyPrice":         {"lotId", "disclosedJSON"},
	"GetLot":              {"lotId"},
	"GetLotEvents":        {"lotId"},
	"GetLotHistory":       {"lotId"},
	"TraceLot":            {"lotId"},
	"ListLotsByCustodian": {"mspId"},
	"ListLotsByStatus":    {"status"},
	"ListLots":            {},
}
