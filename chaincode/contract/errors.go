package contract

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Errors returned to clients are structured: a category Code, a stable message Key, named
// parameters, and the English text built from the key's template. On the wire (the message of the
// chaincode response, which the peer CLI prints and the gateway passes on) an error reads
//
//	CODE: English text {"key":"KEY","params":{"name":"value",...}}
//
// for example
//
//	NOT_CUSTODIAN: lot LOT-1 is held by FarmMSP, not RetailerMSP {"key":"NOT_CUSTODIAN_HELD_BY","params":{"caller":"RetailerMSP","custodian":"FarmMSP","lot":"LOT-1"}}
//
//   - It always starts with "CODE: ", so `"ALREADY_EXISTS:" in output` checks on peer CLI output
//     keep working and people can read it.
//   - The JSON trailer ends the message, after one space: an object with "key" (a string) and
//     "params" (an object of strings, {} when there are none), encoded without HTML escaping. A client
//     finds it as the last `{"key":` from which the rest of the message decodes as such an object;
//     the text before it is the English message. Values the caller typed are quoted like %q.
//   - Keys and parameter names are stable: clients translate by key (app/fabdemo/service/
//     error_messages.yaml holds the English and Chinese templates) and never parse the English text,
//     which may be reworded freely. A new key needs a template there (a unit test checks).
//
// Templates use {name} placeholders (a letter, then letters, digits or _); every placeholder of a
// key's template is given as a parameter at every call site and no other parameter is passed
// (TestErrorCallSitesMatchTemplates checks this over the sources).

// Code classifies every error returned to clients.
type Code string

// Error codes.
const (
	CodeNotFound        Code = "NOT_FOUND"
	CodeAlreadyExists   Code = "ALREADY_EXISTS"
	CodeForbidden       Code = "FORBIDDEN"
	CodeNotCustodian    Code = "NOT_CUSTODIAN"
	CodeInvalidArgument Code = "INVALID_ARGUMENT"
	CodeInvalidState    Code = "INVALID_STATE"
	CodeRecalled        Code = "RECALLED"
)

// AllCodes lists every error code.
var AllCodes = []Code{
	CodeNotFound, CodeAlreadyExists, CodeForbidden, CodeNotCustodian,
	CodeInvalidArgument, CodeInvalidState, CodeRecalled,
}

// Key names one message of the catalogue, e.g. "LOT_NOT_FOUND". It is part of the wire contract.
type Key string

// Params are the named values of a message. Values are rendered with fmt.Sprint (errors with
// Error(), floats like %g).
type Params map[string]any

// message is a catalogue entry: the code of every error with this key and its English template.
type message struct {
	code     Code
	template string
}

// messages is the catalogue of every error the contract returns.
var messages = map[Key]message{
	// lookups
	"LOT_NOT_FOUND":         {CodeNotFound, "lot {lot} does not exist"},
	"PRODUCT_NOT_FOUND":     {CodeNotFound, "product {product} does not exist"},
	"CERTIFICATE_NOT_FOUND": {CodeNotFound, "certificate {certificate} is not anchored on lot {lot} or its ancestors"},
	"PRICE_NOT_FOUND":       {CodeNotFound, "no price recorded for lot {lot}"},

	// duplicates
	"LOT_ALREADY_EXISTS":           {CodeAlreadyExists, "lot {lot} already exists"},
	"PRODUCT_ALREADY_EXISTS":       {CodeAlreadyExists, "product {product} already exists"},
	"GTIN_ALREADY_ASSIGNED":        {CodeAlreadyExists, "GTIN {gtin} is already assigned to product {product}"},
	"PRODUCT_GTIN_ALREADY_SET":     {CodeAlreadyExists, "product {product} already has GTIN {gtin}"},
	"GTIN_INVALID":                 {CodeInvalidArgument, "gtin {value} is not a GTIN: 8, 12, 13 or 14 digits with a valid check digit"},
	"DOCUMENT_HOLDER_ONLY":         {CodeNotCustodian, "only the custodian {custodian} or the receiver of its pending transfer may record documents of lot {lot}"},
	"CERTIFICATE_ALREADY_ANCHORED": {CodeAlreadyExists, "certificate {certificate} is already anchored on lot {lot}"},
	"ROLES_ALREADY_INITIALISED":    {CodeAlreadyExists, "roles are already initialised; use GrantRole/RevokeRole"},
	"ROLE_ALREADY_HELD":            {CodeAlreadyExists, "{msp} already holds the {role} role"},

	// roles and identities
	"ROLE_NOT_HELD":                 {CodeNotFound, "{msp} does not hold the {role} role"},
	"ROLE_REQUIRED":                 {CodeForbidden, "{msp} must hold the {roles} role"},
	"ROLE_ADMIN_REQUIRED":           {CodeForbidden, "only an admin identity (OU=admin) may manage roles"},
	"ROLE_MANAGER_WITHOUT_ROLE":     {CodeForbidden, "{msp} holds no role and cannot manage roles"},
	"CALLER_IDENTITY_UNKNOWN":       {CodeForbidden, "cannot determine the caller identity"},
	"CALLER_MSP_UNKNOWN":            {CodeForbidden, "cannot determine the caller MSP id"},
	"TRANSFER_CANCEL_PROPOSER_ONLY": {CodeForbidden, "only the proposer {proposer} may cancel the transfer of lot {lot}"},
	"TRANSFER_DECIDE_RECEIVER_ONLY": {CodeForbidden, "only the receiver {receiver} may accept or reject the transfer of lot {lot}"},
	"RECALL_NOT_ALLOWED":            {CodeForbidden, "only a grower, a processor or the custodian {custodian} may recall lot {lot}"},
	"ATTRIBUTE_REQUIRED":            {CodeForbidden, "user {user} of {msp} may not {action}: the certificate needs the attribute {attribute}"},

	// custody
	"NOT_CUSTODIAN_HELD_BY":    {CodeNotCustodian, "lot {lot} is held by {custodian}, not {caller}"},
	"NOT_CUSTODIAN_OR_CARRIER": {CodeNotCustodian, "lot {lot} is held by {custodian}; only it or a carrier may record readings in transit"},

	// lot state
	"LOT_RECALLED":           {CodeRecalled, "lot {lot} has been recalled"},
	"LOT_STATUS_NOT_ALLOWED": {CodeInvalidState, "cannot {action} lot {lot} while it is {status} (needs {allowed})"},
	"READINGS_NOT_ALLOWED":   {CodeInvalidState, "cannot record readings for lot {lot} while it is {status}"},
	"NO_PENDING_TRANSFER":    {CodeInvalidState, "lot {lot} has no pending transfer"},
	"LINEAGE_TOO_DEEP":       {CodeInvalidState, "lineage of lot {lot} is deeper than {max}"},

	// ledger and stored data
	"LEDGER_ERROR":           {CodeInvalidState, "ledger error during {operation}: {error}"},
	"CORRUPT_LEDGER_RECORD":  {CodeInvalidState, "corrupt ledger record: {error}"},
	"CORRUPT_LOT_RECORD":     {CodeInvalidState, "corrupt lot record: {error}"},
	"CORRUPT_HISTORY_RECORD": {CodeInvalidState, "corrupt lot history record: {error}"},
	"CORRUPT_PRODUCT_RECORD": {CodeInvalidState, "corrupt product record: {error}"},
	"CORRUPT_ROLE_RECORD":    {CodeInvalidState, "corrupt role record: {error}"},
	"CORRUPT_EVENT_RECORD":   {CodeInvalidState, "corrupt event record: {error}"},
	"CORRUPT_EVENT_SEQUENCE": {CodeInvalidState, "corrupt event sequence for lot {lot}"},
	"CORRUPT_PRICE_RECORD":   {CodeInvalidState, "corrupt price record for lot {lot}"},
	"CANNOT_ENCODE_RECORD":   {CodeInvalidState, "cannot encode record: {error}"},
	"CANNOT_ENCODE_EVENT":    {CodeInvalidState, "cannot encode event: {error}"},

	// argument checks (value parameters are quoted like %q)
	"ID_INVALID":                 {CodeInvalidArgument, "{field} must be 1-64 characters of [A-Za-z0-9._-], got {value}"},
	"TEXT_NOT_UTF8":              {CodeInvalidArgument, "{field} is not valid UTF-8"},
	"TEXT_LENGTH":                {CodeInvalidArgument, "{field} must be {min}-{max} characters, got {length}"},
	"TEXT_TOO_LONG":              {CodeInvalidArgument, "{field} must be at most {max} characters, got {length}"},
	"TEXT_BLANK":                 {CodeInvalidArgument, "{field} must not be blank"},
	"TEXT_CONTROL_CHARACTER":     {CodeInvalidArgument, "{field} contains a control character"},
	"DATE_INVALID":               {CodeInvalidArgument, "{field} must be a date YYYY-MM-DD, got {value}"},
	"NUMBER_OUT_OF_RANGE":        {CodeInvalidArgument, "{field} must be between {min} and {max}, got {value}"},
	"QUANTITY_OUT_OF_RANGE":      {CodeInvalidArgument, "{field} must be greater than 0 and at most {max}, got {value}"},
	"VALUE_NOT_ALLOWED":          {CodeInvalidArgument, "{field} must be one of {allowed}, got {value}"},
	"SHA256_INVALID":             {CodeInvalidArgument, "{field} must be 64 lowercase hex characters"},
	"JSON_TOO_LARGE":             {CodeInvalidArgument, "{field} is larger than {max} bytes"},
	"JSON_INVALID":               {CodeInvalidArgument, "{field} is not valid JSON of the expected shape: {error}"},
	"JSON_TRAILING_DATA":         {CodeInvalidArgument, "{field} has trailing data after the JSON value"},
	"PARAMETER_NOT_FINITE":       {CodeInvalidArgument, "parameter {parameter} must be a finite number"},
	"PARAMETER_EMPTY_NUMBER":     {CodeInvalidArgument, "parameter {parameter} must be a number, not empty"},
	"CALL_REJECTED":              {CodeInvalidArgument, "{detail}"},
	"TRANSFER_TO_SELF":           {CodeInvalidArgument, "cannot transfer a lot to yourself ({msp})"},
	"RECEIVER_WITHOUT_ROLE":      {CodeInvalidArgument, "receiver {msp} holds no role"},
	"CERTIFICATE_DATES_REVERSED": {CodeInvalidArgument, "validFrom ({validFrom}) must not be after validUntil ({validUntil})"},
	"CHILDREN_COUNT":             {CodeInvalidArgument, "childrenJSON must list 1-{max} children, got {count}"},
	"READINGS_COUNT":             {CodeInvalidArgument, "readingsJSON must list 1-{max} readings, got {count}"},
	"PAGE_SIZE_OUT_OF_RANGE":     {CodeInvalidArgument, "pageSize must be between 1 and {max}, got {value}"},
	"BOOKMARK_INVALID":           {CodeInvalidArgument, "bookmark does not belong to this list; start again with an empty bookmark"},
	"CHILD_LOT_REPEATED":         {CodeInvalidArgument, "child lot id {lot} is repeated or equals the parent"},
	"CHILDREN_EXCEED_REMAINING":  {CodeInvalidArgument, "children total {total} {unit} exceeds the remaining {remaining} {unit} of lot {lot}"},
	"TEMPERATURE_BAND_INVALID":   {CodeInvalidArgument, "minTempC ({min}) must be lower than maxTempC ({max})"},
	"ROLES_COUNT":                {CodeInvalidArgument, "rolesJSON must map 1-{max} MSP ids to their roles"},
	"ROLES_EMPTY":                {CodeInvalidArgument, "MSP {msp} must be given at least one role"},
	"CURRENCY_INVALID":           {CodeInvalidArgument, "currency must be a 3-letter upper-case ISO 4217 code"},
	"PRICE_NOT_IN_TRANSIENT":     {CodeInvalidArgument, `the price JSON must be passed in the transient field "{field}"`},
	"DISCLOSED_JSON_SIZE":        {CodeInvalidArgument, "disclosedJSON must be 1-{max} bytes"},
}

// Error is a contract error: a Code, the message Key and its Params, and the English Message.
type Error struct {
	Code    Code
	Key     Key
	Params  map[string]string
	Message string
}

// Error renders the wire form: "CODE: English text {"key":...,"params":{...}}".
func (e *Error) Error() string {
	return string(e.Code) + ": " + e.Message + " " + e.trailer()
}

// trailer is the JSON object that carries the key and the parameters.
func (e *Error) trailer() string {
	params := e.Params
	if params == nil {
		params = map[string]string{}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	// A struct of a string and a map of strings always encodes.
	_ = enc.Encode(struct {
		Key    Key               `json:"key"`
		Params map[string]string `json:"params"`
	}{e.Key, params})
	return strings.TrimSuffix(buf.String(), "\n")
}

// newError builds the error of a catalogue key. Every call site passes a key literal and exactly
// the parameters of its template (nil when there are none); TestErrorCallSitesMatchTemplates checks it.
func newError(key Key, params Params) error {
	m, ok := messages[key]
	if !ok { // a programming error; still report it in the documented form
		m = message{CodeInvalidState, "unknown error " + string(key)}
	}
	values := make(map[string]string, len(params))
	for name, v := range params {
		values[name] = fmt.Sprint(v)
	}
	return &Error{Code: m.code, Key: key, Params: values, Message: render(m.template, values)}
}

// render replaces each {name} of template with values[name]. Unknown names stay as they are.
func render(template string, values map[string]string) string {
	var out strings.Builder
	scanTemplate(template, func(literal string) { out.WriteString(literal) }, func(name string) {
		if v, ok := values[name]; ok {
			out.WriteString(v)
		} else {
			out.WriteString("{" + name + "}")
		}
	})
	return out.String()
}

// placeholders returns the sorted, distinct placeholder names of template.
func placeholders(template string) []string {
	seen := map[string]bool{}
	names := []string{}
	scanTemplate(template, func(string) {}, func(name string) {
		if !seen[name] {
			seen[name] = true
			names = append(names, name)
		}
	})
	sort.Strings(names)
	return names
}

// scanTemplate splits template into literal text and {name} placeholders, left to right. A brace
// that does not open a valid placeholder is literal text.
func scanTemplate(template string, literal, placeholder func(string)) {
	start := 0
	for i := 0; i < len(template); i++ {
		if template[i] != '{' {
			continue
		}
		end := strings.IndexByte(template[i:], '}')
		if end < 0 {
			break
		}
		if name := template[i+1 : i+end]; isPlaceholderName(name) {
			literal(template[start:i])
			placeholder(name)
			i += end
			start = i + 1
		}
	}
	literal(template[start:])
}

func isPlaceholderName(name string) bool {
	for i, r := range name {
		letter := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
		if !letter && (i == 0 || !(r >= '0' && r <= '9' || r == '_')) {
			return false
		}
	}
	return name != ""
}

// quote formats a caller-supplied value for a message like %q, truncated.
func quote(v string) string {
	return fmt.Sprintf("%q", truncate(v))
}

// ledgerError wraps a failure of the peer/ledger API. It is reported as INVALID_STATE
// so that the client still sees one of the documented codes.
func ledgerError(op string, err error) error {
	return newError("LEDGER_ERROR", Params{"operation": op, "error": err})
}

// CodeOf returns the Code of err, or "" when err is not a contract error.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// KeyOf returns the message Key of err, or "" when err is not a contract error.
func KeyOf(err error) Key {
	var e *Error
	if errors.As(err, &e) {
		return e.Key
	}
	return ""
}

// HasCodePrefix reports whether msg already starts with "CODE: " for a known code.
func HasCodePrefix(msg string) bool {
	for _, c := range AllCodes {
		if strings.HasPrefix(msg, string(c)+": ") {
			return true
		}
	}
	return false
}
