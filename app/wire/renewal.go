package wire

import "time"

// RenewalStart is POST /api/v1/renewal: the first screen's contacts.
type RenewalStart struct {
	Service string `json:"service"`
	Phone   string `json:"phone"`
	Email   string `json:"email"`
	Lang    string `json:"lang,omitempty"` // "ru" (default) or "en"
}

// Renewal is an application as its holder sees it: the state decides the
// wizard's step, so a reload or another device lands on the same step.
type Renewal struct {
	ID string `json:"id"`
	// Number is the application's number for people (2026-000123): the
	// wizard, documents and messages show it; ID stays the key.
	Number      string    `json:"number"`
	CreatedAt   time.Time `json:"created_at"`
	Service     string    `json:"service"`
	ServiceName Names     `json:"service_name"` // the full name, never the code
	// TariffName is the chosen tariff's name (with Tariff).
	TariffName *Names `json:"tariff_name,omitempty"`
	// ActNumber is the act's number (A-2026-000045), once issued.
	ActNumber string `json:"act_number,omitempty"`
	// ReceiptEmail is where the payment's receipt goes: the contact
	// e-mail unless the person gave another on the payment step.
	ReceiptEmail  string          `json:"receipt_email"`
	Jurisdiction  string          `json:"jurisdiction"`
	State         string          `json:"state"` // a State
	Phone         string          `json:"phone"`
	Email         string          `json:"email"`
	PhoneVerified bool            `json:"phone_verified"`
	EmailVerified bool            `json:"email_verified"`
	Proven        bool            `json:"certificate_proven"` // this session proved the current certificate
	Certificate   *CertificateRef `json:"certificate,omitempty"`
	Tariff        string          `json:"tariff,omitempty"`
	Amount        *Money          `json:"amount,omitempty"`
	Check         *RegistryCheck  `json:"registry_check,omitempty"`
	Request       bool            `json:"request_submitted"` // the request for the new certificate is in
	Issued        *CertificateRef `json:"issued,omitempty"`
	Payment       *Payment        `json:"payment,omitempty"`
	// ApprovalLink is given once, when the application is signed, so a
	// Russian employee can send it to the head himself.
	ApprovalLink string  `json:"approval_link,omitempty"`
	Rejection    *Reason `json:"rejection,omitempty"`
	// Correction is a registry refusal the person can fix: the data step
	// shows it with the fields to look at again.
	Correction *Correction `json:"correction,omitempty"`
	// PersonalData are the values last entered, given back to the proven
	// session on the data step so a correction keeps every other answer.
	PersonalData *PersonalData `json:"personal_data,omitempty"`
	// AfterDelivery is what comes next, once the certificate is delivered.
	AfterDelivery *AfterDelivery `json:"after_delivery,omitempty"`
	CSRFToken     string         `json:"csrf_token"`
	UpdatedAt     time.Time      `json:"updated_at"`
	// KeyAlgorithm is the new key the wizard makes ("ecdsa-p256"): the
	// profile decides, not the person.
	KeyAlgorithm string `json:"key_algorithm,omitempty"`
}

// CertificateRef names the proven current certificate.
type CertificateRef struct {
	Serial   string    `json:"serial"`
	Subject  string    `json:"subject"`
	NotAfter time.Time `json:"not_after"`
}

// Names is a value's name for people in both languages.
type Names struct {
	RU string `json:"ru"`
	EN string `json:"en"`
}

// In is the name in a language ("en", else Russian).
func (n Names) In(lang string) string {
	if lang == "en" {
		return n.EN
	}
	return n.RU
}

// Money is an amount in minor units (kopecks) of a currency (RUB, BYN).
type Money struct {
	Minor    int64  `json:"minor"`
	Currency string `json:"currency"`
	Text     string `json:"text"` // money.Format: "2 500,00 ₽"
}

// Reason is a refusal or rejection a person reads.
type Reason struct {
	Code string `json:"code"`
	RU   string `json:"ru"`
	EN   string `json:"en"`
}

// Correction is a correctable registry refusal: the reason, the fields
// (PersonalData's JSON names) to mark, and how many more corrections the
// application allows before a refusal ends it.
type Correction struct {
	Code      string   `json:"code"`
	RU        string   `json:"ru"`
	EN        string   `json:"en"`
	Fields    []string `json:"fields"`
	Remaining int      `json:"remaining"`
}

// AfterDelivery tells the end screen what happens next: the replaced
// certificate is revoked as superseded (at the acknowledgement of the new
// one, or that many days later), and when the new one can be renewed.
type AfterDelivery struct {
	ReplacedSerial         string    `json:"replaced_serial"`
	ReplacedRevocationDays int       `json:"replaced_revocation_days"` // 0: at the acknowledgement
	RenewFrom              time.Time `json:"renew_from"`               // the new certificate's renewal window opens
	NotAfter               time.Time `json:"not_after"`
	// RenewRemotely is false where a certificate issued remotely cannot
	// be renewed remotely again (Russia): the next one needs
	// identification in person.
	RenewRemotely bool `json:"renew_remotely"`
	// KeyCarrier is where the new key lives, as the request said
	// (CarrierBrowser, CarrierFile, CarrierRequest).
	KeyCarrier string `json:"key_carrier"`
}

// RegistryCheck is the progress of the check of the person's data in the
// state registries.
type RegistryCheck struct {
	Status   string      `json:"status"` // a CheckStatus
	Attempts int         `json:"attempts"`
	Steps    []CheckStep `json:"steps"`
}

// CheckStep is one registry consulted.
type CheckStep struct {
	Name   string `json:"name"`
	NameRU string `json:"name_ru"`
	NameEN string `json:"name_en"`
	Status string `json:"status"` // a CheckStepStatus
}

// CodeCheck is POST /api/v1/renewal/contacts: one or both codes.
type CodeCheck struct {
	SMSCode   string `json:"sms_code,omitempty"`
	EmailCode string `json:"email_code,omitempty"`
}

// CodeResend is POST /api/v1/renewal/codes.
type CodeResend struct {
	Channel string `json:"channel"` // sms or email
}

// Challenge is what the current certificate's key must sign: Message,
// with ECDSA (SHA-256, DER signature) or RSA PKCS#1 v1.5 (SHA-256).
type Challenge struct {
	ID        string    `json:"id"`
	Message   []byte    `json:"message"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Proof is POST /api/v1/renewal/proof.
type Proof struct {
	ChallengeID string   `json:"challenge_id"`
	Certificate []byte   `json:"certificate"` // DER
	Chain       [][]byte `json:"chain,omitempty"`
	Signature   []byte   `json:"signature"`
}

// Tariff is one usage sphere with its price.
type Tariff struct {
	Code   string `json:"code"`
	NameRU string `json:"name_ru"`
	NameEN string `json:"name_en"`
	Price  Money  `json:"price"`
}

// TariffList is GET /api/v1/renewal/tariffs.
type TariffList struct {
	Tariffs []Tariff `json:"tariffs"`
}

// TariffChoice is PUT /api/v1/renewal/tariff.
type TariffChoice struct {
	Tariff string `json:"tariff"`
}

// TermsDocument is one agreement to accept, shown in full.
type TermsDocument struct {
	Code    string `json:"code"`
	Version string `json:"version"`
	TitleRU string `json:"title_ru"`
	TitleEN string `json:"title_en"`
	Text    string `json:"text"`
	SHA256  string `json:"sha256"` // hex of Text's UTF-8 bytes
}

// TermsList is GET /api/v1/renewal/terms.
type TermsList struct {
	Documents []TermsDocument `json:"documents"`
}

// TermsAcceptance is POST /api/v1/renewal/terms: each document exactly as shown.
type TermsAcceptance struct {
	Accepted []AcceptedDocument `json:"accepted"`
}

// AcceptedDocument names what was read.
type AcceptedDocument struct {
	Code    string `json:"code"`
	Version string `json:"version"`
	SHA256  string `json:"sha256"`
}

// PersonalData is POST /api/v1/renewal/personal-data. Russia: passport,
// СНИЛС and ИНН; Belarus: the personal number. The identifiers must equal
// those in the current certificate.
type PersonalData struct {
	PassportSeries string `json:"passport_series,omitempty"`
	PassportNumber string `json:"passport_number,omitempty"`
	PassportIssued string `json:"passport_issued,omitempty"` // YYYY-MM-DD (DD.MM.YYYY accepted too)
	SNILS          string `json:"snils,omitempty"`
	INN            string `json:"inn,omitempty"`
	PersonalNumber string `json:"personal_number,omitempty"`
}

// ApplicationSignature is POST /api/v1/renewal/application/signature: a
// detached CMS SignedData over the application PDF's exact bytes.
type ApplicationSignature struct {
	Signature []byte `json:"signature"`
}

// Resume is POST /api/v1/resume: the token of an e-mailed link.
type Resume struct {
	Token string `json:"token"`
}

// CertificateRequest is POST /api/v1/renewal/request: the PKCS#10 for
// the new key, made in the browser or imported from a file (DER or PEM).
type CertificateRequest struct {
	CSR []byte `json:"csr"`
	// Carrier is where the new key lives (CarrierBrowser, CarrierFile,
	// CarrierRequest; empty is CarrierRequest): it chooses the signature
	// tool text the certificate carries, among the profile's.
	Carrier string `json:"carrier,omitempty"`
}

// Carriers of a new key.
const (
	CarrierBrowser = "browser" // a non-extractable key in this browser
	CarrierFile    = "file"    // a password-protected .p12 file the person saves
	CarrierRequest = "request" // a request made by the person's own tool
)

// Payment is the latest payment of an application.
type Payment struct {
	ID            string     `json:"id"`
	Method        string     `json:"method"` // a PaymentMethod
	Status        string     `json:"status"` // a PaymentStatus
	Amount        Money      `json:"amount"`
	RedirectURL   string     `json:"redirect_url,omitempty"`   // card: the payment page
	ERIPCode      string     `json:"erip_code,omitempty"`      // erip: the code to pay by
	ERIPPath      string     `json:"erip_path,omitempty"`      // erip: where in the service tree
	ERIPPathEN    string     `json:"erip_path_en,omitempty"`   // erip: the same in English
	InvoiceNumber string     `json:"invoice_number,omitempty"` // invoice
	CreatedAt     time.Time  `json:"created_at"`
	PaidAt        *time.Time `json:"paid_at,omitempty"`
}

// ReceiptEmail is PUT /api/v1/renewal/receipt-email: where the payment's
// receipt goes.
type ReceiptEmail struct {
	Email string `json:"email"`
}

// PaymentStart is POST /api/v1/renewal/payment.
type PaymentStart struct {
	Method string `json:"method"` // a PaymentMethod
}
