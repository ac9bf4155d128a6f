package contract

// Lot statuses.
const (
	StatusHarvested   = "HARVESTED"
	StatusProcessed   = "PROCESSED"
	StatusPackaged    = "PACKAGED"
	StatusSplit       = "SPLIT"
	StatusInTransit   = "IN_TRANSIT"
	StatusReceived    = "RECEIVED"
	StatusQuarantined = "QUARANTINED"
	StatusSold        = "SOLD"
	StatusRecalled    = "RECALLED"
)

// AllStatuses lists every lot status in a stable order.
var AllStatuses = []string{
	StatusHarvested, StatusProcessed, StatusPackaged, StatusSplit, StatusInTransit,
	StatusReceived, StatusQuarantined, StatusSold, StatusRecalled,
}

// Transfer (shipment) outcomes.
const (
	TransferPending   = "PENDING"
	TransferAccepted  = "ACCEPTED"
	TransferRejected  = "REJECTED"
	TransferCancelled = "CANCELLED"
	TransferVoided    = "VOIDED_BY_RECALL"
)

// Farm describes where a farm lot was grown.
type Farm struct {
	Name     string `json:"name"`
	Location string `json:"location"`
	Plot     string `json:"plot"`
}

// Input is an agronomic input (fertiliser, pesticide, ...) applied to a lot.
type Input struct {
	InputType   string `json:"inputType"`
	Product     string `json:"product"`
	Dose        string `json:"dose"`
	AppliedDate string `json:"appliedDate"`
	RecordedBy  string `json:"recordedBy"`
	TxID        string `json:"txId"`
	Timestamp   string `json:"timestamp"`
}

// Certificate anchors the hash of an off-chain certificate document to a lot.
type Certificate struct {
	CertID     string `json:"certId"`
	CertType   string `json:"certType"`
	Issuer     string `json:"issuer"`
	SHA256     string `json:"sha256"`
	ValidFrom  string `json:"validFrom"`
	ValidUntil string `json:"validUntil"`
	AnchoredBy string `json:"anchoredBy"`
	TxID       string `json:"txId"`
	Timestamp  string `json:"timestamp"`
}

// ProcessingStep is one processing operation performed on a lot.
type ProcessingStep struct {
	Step      string `json:"step"`
	Notes     string `json:"notes"`
	Processor string `json:"processor"`
	TxID      string `json:"txId"`
	Timestamp string `json:"timestamp"`
}

// Transfer is a custody hand-over, pending or resolved.
type Transfer struct {
	FromMsp        string `json:"fromMsp"`
	ToMsp          string `json:"toMsp"`
	Carrier        string `json:"carrier"`
	Vehicle        string `json:"vehicle"`
	Route          string `json:"route"`
	Status         string `json:"status"`
	PreviousStatus string `json:"previousStatus"`
	ProposedTxID   string `json:"proposedTxId"`
	ProposedAt     string `json:"proposedAt"`
	ResolvedBy     string `json:"resolvedBy"`
	ResolvedTxID   string `json:"resolvedTxId"`
	ResolvedAt     string `json:"resolvedAt"`
	Reason         string `json:"reason"`
}

// Checkpoint is a geo-located waypoint recorded for a lot.
type Checkpoint struct {
	Latitude   float64 `json:"latitude"`
	Longitude  float64 `json:"longitude"`
	Location   string  `json:"location"`
	Note       string  `json:"note"`
	RecordedBy string  `json:"recordedBy"`
	TxID       string  `json:"txId"`
	Timestamp  string  `json:"timestamp"`
}

// TemperatureReading is a cold-chain temperature sample.
type TemperatureReading struct {
	Celsius    float64 `json:"celsius"`
	Location   string  `json:"location"`
	InRange    bool    `json:"inRange"`
	RecordedBy string  `json:"recordedBy"`
	TxID       string  `json:"txId"`
	Timestamp  string  `json:"timestamp"`
}

// Sale records the retail sale of a lot.
type Sale struct {
	Store     string `json:"store"`
	SoldBy    string `json:"soldBy"`
	TxID      string `json:"txId"`
	Timestamp string `json:"timestamp"`
}

// Recall records why and by whom a lot was recalled.
type Recall struct {
	Reason     string `json:"reason"`
	RecalledBy string `json:"recalledBy"`
	RootLotID  string `json:"rootLotId"`
	TxID       string `json:"txId"`
	Timestamp  string `json:"timestamp"`
}

// Lot is a batch of produce. Slices are never null in the JSON form.
type Lot struct {
	LotID             string               `json:"lotId"`
	ProductID         string               `json:"productId"`
	Variety           string               `json:"variety"`
	Quantity          float64              `json:"quantity"`
	RemainingQuantity float64              `json:"remainingQuantity"`
	Unit              string               `json:"unit"`
	OriginMsp         string               `json:"originMsp"`
	Farm              Farm                 `json:"farm"`
	HarvestDate       string               `json:"harvestDate"`
	Custodian         string               `json:"custodian"`
	Status            string               `json:"status"`
	PreviousStatus    string               `json:"previousStatus"`
	ParentID          string               `json:"parentId"`
	ChildIDs          []string             `json:"childIds"`
	Inputs            []Input              `json:"inputs"`
	Certificates      []Certificate        `json:"certificates"`
	Processing        []ProcessingStep     `json:"processing"`
	PendingTransfer   *Transfer            `json:"pendingTransfer"`
	Shipments         []Transfer           `json:"shipments"`
	Checkpoints       []Checkpoint         `json:"checkpoints"`
	Temperatures      []TemperatureReading `json:"temperatures"`
	Sold              *Sale                `json:"sold"`
	Recall            *Recall              `json:"recall"`
	PriceHash         string               `json:"priceHash"`
	// TemperatureBreach is set by the first out-of-range reading (which quarantines the lot, so
	// the lot is written then anyway) and stays set: the consumer's cold-chain verdict.
	TemperatureBreach bool `json:"temperatureBreach"`
	// Summary of the lot's entries, assembled at read time from their own keys (GetLot, TraceLot,
	// CheckAuthenticity); null in lists and in stored versions. See entries.go.
	Summary     *EntrySummary `json:"summary"`
	CreatedTxID string        `json:"createdTxId"`
	CreatedAt   string        `json:"createdAt"`
	UpdatedAt   string        `json:"updatedAt"`

	// values as last read from the ledger, used to maintain the indexes
	storedCustodian string
	storedStatus    string
}

// normalize replaces nil slices with empty ones so the JSON never holds null arrays.
func (l *Lot) normalize() {
	if l.ChildIDs == nil {
		l.ChildIDs = []string{}
	}
	if l.Inputs == nil {
		l.Inputs = []Input{}
	}
	if l.Certificates == nil {
		l.Certificates = []Certificate{}
	}
	if l.Processing == nil {
		l.Processing = []ProcessingStep{}
	}
	if l.Shipments == nil {
		l.Shipments = []Transfer{}
	}
	if l.Checkpoints == nil {
		l.Checkpoints = []Checkpoint{}
	}
	if l.Temperatures == nil {
		l.Temperatures = []TemperatureReading{}
	}
}

// setStatus changes the status and remembers the one it replaces.
func (l *Lot) setStatus(status string) {
	l.PreviousStatus = l.Status
	l.Status = status
}

// Product is a kind of produce with its cold-chain temperature range.
type Product struct {
	ProductID   string  `json:"productId"`
	Name        string  `json:"name"`
	MinTempC    float64 `json:"minTempC"`
	MaxTempC    float64 `json:"maxTempC"`
	GTIN        string  `json:"gtin"` // GTIN-14, "" until AssignGTIN
	DefinedBy   string  `json:"definedBy"`
	CreatedTxID string  `json:"createdTxId"`
	CreatedAt   string  `json:"createdAt"`
}

// SplitChild is one entry of the SplitLot childrenJSON argument.
type SplitChild struct {
	LotID    string  `json:"lotId"`
	Quantity float64 `json:"quantity"`
}

// LotSummary is a compact view of a lot used by TraceLot.
type LotSummary struct {
	LotID             string  `json:"lotId"`
	ParentID          string  `json:"parentId"`
	ProductID         string  `json:"productId"`
	Variety           string  `json:"variety"`
	Quantity          float64 `json:"quantity"`
	RemainingQuantity float64 `json:"remainingQuantity"`
	Unit              string  `json:"unit"`
	OriginMsp         string  `json:"originMsp"`
	Custodian         string  `json:"custodian"`
	Status            string  `json:"status"`
	Depth             int     `json:"depth"`
	CreatedAt         string  `json:"createdAt"`
}

// TraceResult is returned by TraceLot.
type TraceResult struct {
	Lot         *Lot         `json:"lot"`
	Ancestors   []LotSummary `json:"ancestors"`
	Descendants []LotSummary `json:"descendants"`
	Holders     []string     `json:"holders"`
}

// JourneyStep is one human-readable step of a lot's journey.
type JourneyStep struct {
	LotID     string `json:"lotId"`
	Event     string `json:"event"`
	Actor     string `json:"actor"`
	Timestamp string `json:"timestamp"`
	Summary   string `json:"summary"`
}

// AuthenticityResult is returned by CheckAuthenticity.
type AuthenticityResult struct {
	Lot         *Lot          `json:"lot"`
	Product     *Product      `json:"product"`
	Journey     []JourneyStep `json:"journey"`
	Checks      int           `json:"checks"`
	Locations   []string      `json:"locations"`
	LikelyClone bool          `json:"likelyClone"`
	Recalled    bool          `json:"recalled"`
}

// authRecord is the ledger record of consumer authenticity checks for one lot.
type authRecord struct {
	LotID     string   `json:"lotId"`
	Checks    int      `json:"checks"`
	Locations []string `json:"locations"`
}

// CertificateVerification is returned by VerifyCertificate.
type CertificateVerification struct {
	Match           bool         `json:"match"`
	Certificate     *Certificate `json:"certificate"`
	AnchoredOnLotID string       `json:"anchoredOnLotId"`
}

// PriceTerms is the confidential price agreement held in the private data collection.
type PriceTerms struct {
	BuyerMsp  string  `json:"buyerMsp"`
	SellerMsp string  `json:"sellerMsp"`
	UnitPrice float64 `json:"unitPrice"`
	Currency  string  `json:"currency"`
	Terms     string  `json:"terms"`
	Salt      string  `json:"salt"`
}

// PrivatePrice is returned by GetPrice: the price terms plus the exact stored JSON
// (rawJson, usable with VerifyPrice) and its on-ledger hash.
type PrivatePrice struct {
	LotID     string  `json:"lotId"`
	BuyerMsp  string  `json:"buyerMsp"`
	SellerMsp string  `json:"sellerMsp"`
	UnitPrice float64 `json:"unitPrice"`
	Currency  string  `json:"currency"`
	Terms     string  `json:"terms"`
	Salt      string  `json:"salt"`
	Hash      string  `json:"hash"`
	RawJSON   string  `json:"rawJson"`
}

// PriceVerification is returned by VerifyPrice.
type PriceVerification struct {
	Match         bool   `json:"match"`
	Hash          string `json:"hash"`
	DisclosedHash string `json:"disclosedHash"`
}

// HistoryEntry is one modification of a lot as returned by GetLotHistory.
type HistoryEntry struct {
	TxID      string `json:"txId"`
	Timestamp string `json:"timestamp"`
	IsDelete  bool   `json:"isDelete"`
	Value     *Lot   `json:"value"`
}

// roleRecord is the ledger record of the roles held by one MSP.
type roleRecord struct {
	MspID string   `json:"mspId"`
	Roles []string `json:"roles"`
}
