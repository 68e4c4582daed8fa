package store

// This file and queries.go are the boundary between the generated queries
// (package db, internal to store) and the rest of the server: domain
// types and entity-first methods, pgx's errors mapped by mapErr. Made
// once from db's signatures; kept by hand as queries are added.

import (
	"time"

	"renewal/server/internal/store/internal/db"
)

type Application struct {
	ID              string
	Service         string
	Jurisdiction    string
	Profile         string
	State           string
	Version         int32
	Lang            string
	Phone           string
	Email           string
	PhoneVerifiedAt *time.Time
	EmailVerifiedAt *time.Time
	CertSerial      *string
	CertDer         []byte
	CertSha256      []byte
	Tariff          *string
	AmountMinor     *int64
	Currency        *string
	PersonalData    *string
	RejectCode      *string
	RejectRu        *string
	RejectEn        *string
	CreatedAt       time.Time
	UpdatedAt       time.Time
	ClientIp        string
	Csr             []byte
	IssuedSerial    *string
	OrgID           *string
	// KeyCarrier: browser, file or request; nil before the request.
	KeyCarrier *string
	// Number is the application's readable number (2026-000123);
	// ActNumber the act's, once the certificate is issued.
	Number       string
	ActNumber    *string
	ReceiptEmail *string
}

func fromApplication(r db.Application) Application {
	return Application{ID: r.ID, Service: r.Service, Jurisdiction: r.Jurisdiction, Profile: r.Profile, State: string(r.State), Version: r.Version, Lang: r.Lang, Phone: r.Phone, Email: r.Email, PhoneVerifiedAt: r.PhoneVerifiedAt, EmailVerifiedAt: r.EmailVerifiedAt, CertSerial: r.CertSerial, CertDer: r.CertDer, CertSha256: r.CertSha256, Tariff: r.Tariff, AmountMinor: r.AmountMinor, Currency: r.Currency, PersonalData: r.PersonalData, RejectCode: r.RejectCode, RejectRu: r.RejectRu, RejectEn: r.RejectEn, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, ClientIp: r.ClientIp, Csr: r.Csr, IssuedSerial: r.IssuedSerial, OrgID: r.OrgID, KeyCarrier: r.KeyCarrier, Number: r.Number, ActNumber: r.ActNumber, ReceiptEmail: r.ReceiptEmail}
}

type ApplicationInsertParams struct {
	ID           string
	Service      string
	Jurisdiction string
	Profile      string
	Lang         string
	Phone        string
	Email        string
	ClientIp     string
	CreatedAt    time.Time
	Number       string
}

func (a ApplicationInsertParams) db() db.ApplicationInsertParams {
	return db.ApplicationInsertParams{ID: a.ID, Service: a.Service, Jurisdiction: a.Jurisdiction, Profile: a.Profile, Lang: a.Lang, Phone: a.Phone, Email: a.Email, ClientIp: a.ClientIp, CreatedAt: a.CreatedAt, Number: a.Number}
}

type ApplicationSetCSRParams struct {
	ID         string
	Csr        []byte
	KeyCarrier *string
	UpdatedAt  time.Time
}

func (a ApplicationSetCSRParams) db() db.ApplicationSetCSRParams {
	return db.ApplicationSetCSRParams{ID: a.ID, Csr: a.Csr, KeyCarrier: a.KeyCarrier, UpdatedAt: a.UpdatedAt}
}

type ApplicationSetCertificateParams struct {
	ID         string
	CertSerial *string
	CertDer    []byte
	CertSha256 []byte
	UpdatedAt  time.Time
}

func (a ApplicationSetCertificateParams) db() db.ApplicationSetCertificateParams {
	return db.ApplicationSetCertificateParams{ID: a.ID, CertSerial: a.CertSerial, CertDer: a.CertDer, CertSha256: a.CertSha256, UpdatedAt: a.UpdatedAt}
}

type ApplicationSetContactVerifiedParams struct {
	Channel string
	At      time.Time
	ID      string
}

func (a ApplicationSetContactVerifiedParams) db() db.ApplicationSetContactVerifiedParams {
	return db.ApplicationSetContactVerifiedParams{Channel: a.Channel, At: a.At, ID: a.ID}
}

type ApplicationSetIssuedParams struct {
	ID           string
	IssuedSerial *string
	UpdatedAt    time.Time
	// ActNumber is kept if the application already has one.
	ActNumber *string
}

func (a ApplicationSetIssuedParams) db() db.ApplicationSetIssuedParams {
	return db.ApplicationSetIssuedParams{ID: a.ID, IssuedSerial: a.IssuedSerial, UpdatedAt: a.UpdatedAt, ActNumber: a.ActNumber}
}

type ApplicationSetOrgParams struct {
	ID    string
	OrgID *string
}

func (a ApplicationSetOrgParams) db() db.ApplicationSetOrgParams {
	return db.ApplicationSetOrgParams{ID: a.ID, OrgID: a.OrgID}
}

type ApplicationSetPersonalDataParams struct {
	ID           string
	PersonalData *string
	UpdatedAt    time.Time
}

func (a ApplicationSetPersonalDataParams) db() db.ApplicationSetPersonalDataParams {
	return db.ApplicationSetPersonalDataParams{ID: a.ID, PersonalData: a.PersonalData, UpdatedAt: a.UpdatedAt}
}

type ApplicationSetRejectionParams struct {
	ID         string
	RejectCode *string
	RejectRu   *string
	RejectEn   *string
	UpdatedAt  time.Time
}

func (a ApplicationSetRejectionParams) db() db.ApplicationSetRejectionParams {
	return db.ApplicationSetRejectionParams{ID: a.ID, RejectCode: a.RejectCode, RejectRu: a.RejectRu, RejectEn: a.RejectEn, UpdatedAt: a.UpdatedAt}
}

type ApplicationSetStateParams struct {
	ToState    string
	At         time.Time
	ID         string
	FromStates []string
}

func (a ApplicationSetStateParams) db() db.ApplicationSetStateParams {
	return db.ApplicationSetStateParams{ToState: db.RenewalState(a.ToState), At: a.At, ID: a.ID, FromStates: a.FromStates}
}

type ApplicationSetTariffParams struct {
	ID          string
	Tariff      *string
	AmountMinor *int64
	Currency    *string
	UpdatedAt   time.Time
}

func (a ApplicationSetTariffParams) db() db.ApplicationSetTariffParams {
	return db.ApplicationSetTariffParams{ID: a.ID, Tariff: a.Tariff, AmountMinor: a.AmountMinor, Currency: a.Currency, UpdatedAt: a.UpdatedAt}
}

type ApplicationsApprovedUnpaidParams struct {
	Jurisdiction string
	OrgID        *string
}

func (a ApplicationsApprovedUnpaidParams) db() db.ApplicationsApprovedUnpaidParams {
	return db.ApplicationsApprovedUnpaidParams{Jurisdiction: a.Jurisdiction, OrgID: a.OrgID}
}

type ApplicationsAwaitingApprovalParams struct {
	Jurisdiction string
	OrgID        *string
}

func (a ApplicationsAwaitingApprovalParams) db() db.ApplicationsAwaitingApprovalParams {
	return db.ApplicationsAwaitingApprovalParams{Jurisdiction: a.Jurisdiction, OrgID: a.OrgID}
}

type ApprovalChallengeInsertParams struct {
	ID          string
	SessionHash []byte
	Nonce       []byte
	CreatedAt   time.Time
	ExpiresAt   time.Time
}

func (a ApprovalChallengeInsertParams) db() db.ApprovalChallengeInsertParams {
	return db.ApprovalChallengeInsertParams{ID: a.ID, SessionHash: a.SessionHash, Nonce: a.Nonce, CreatedAt: a.CreatedAt, ExpiresAt: a.ExpiresAt}
}

type ApprovalChallengeTakeParams struct {
	At          *time.Time
	ID          string
	SessionHash []byte
}

func (a ApprovalChallengeTakeParams) db() db.ApprovalChallengeTakeParams {
	return db.ApprovalChallengeTakeParams{At: a.At, ID: a.ID, SessionHash: a.SessionHash}
}

type ApprovalChallengeTakeRow struct {
	Nonce     []byte
	ExpiresAt time.Time
}

func fromApprovalChallengeTakeRow(r db.ApprovalChallengeTakeRow) ApprovalChallengeTakeRow {
	return ApprovalChallengeTakeRow{Nonce: r.Nonce, ExpiresAt: r.ExpiresAt}
}

type ApprovalLinkInsertParams struct {
	TokenHash     []byte
	ApplicationID string
	Jurisdiction  string
	OrgID         string
	CreatedAt     time.Time
	ExpiresAt     time.Time
}

func (a ApprovalLinkInsertParams) db() db.ApprovalLinkInsertParams {
	return db.ApprovalLinkInsertParams{TokenHash: a.TokenHash, ApplicationID: a.ApplicationID, Jurisdiction: a.Jurisdiction, OrgID: a.OrgID, CreatedAt: a.CreatedAt, ExpiresAt: a.ExpiresAt}
}

type ApprovalLinkTakeParams struct {
	At        *time.Time
	TokenHash []byte
}

func (a ApprovalLinkTakeParams) db() db.ApprovalLinkTakeParams {
	return db.ApprovalLinkTakeParams{At: a.At, TokenHash: a.TokenHash}
}

type ApprovalLinkTakeRow struct {
	ApplicationID string
	Jurisdiction  string
	OrgID         string
}

func fromApprovalLinkTakeRow(r db.ApprovalLinkTakeRow) ApprovalLinkTakeRow {
	return ApprovalLinkTakeRow{ApplicationID: r.ApplicationID, Jurisdiction: r.Jurisdiction, OrgID: r.OrgID}
}

type ApprovalSession struct {
	IDHash       []byte
	Jurisdiction string
	OrgID        string
	CertDer      []byte
	CertSha256   []byte
	CsrfToken    string
	CreatedAt    time.Time
	ExpiresAt    time.Time
	RevokedAt    *time.Time
}

func fromApprovalSession(r db.ApprovalSession) ApprovalSession {
	return ApprovalSession{IDHash: r.IDHash, Jurisdiction: r.Jurisdiction, OrgID: r.OrgID, CertDer: r.CertDer, CertSha256: r.CertSha256, CsrfToken: r.CsrfToken, CreatedAt: r.CreatedAt, ExpiresAt: r.ExpiresAt, RevokedAt: r.RevokedAt}
}

type ApprovalSessionGetParams struct {
	IDHash    []byte
	ExpiresAt time.Time
}

func (a ApprovalSessionGetParams) db() db.ApprovalSessionGetParams {
	return db.ApprovalSessionGetParams{IDHash: a.IDHash, ExpiresAt: a.ExpiresAt}
}

type ApprovalSessionInsertParams struct {
	IDHash       []byte
	Jurisdiction string
	OrgID        string
	CertDer      []byte
	CertSha256   []byte
	CsrfToken    string
	CreatedAt    time.Time
	ExpiresAt    time.Time
}

func (a ApprovalSessionInsertParams) db() db.ApprovalSessionInsertParams {
	return db.ApprovalSessionInsertParams{IDHash: a.IDHash, Jurisdiction: a.Jurisdiction, OrgID: a.OrgID, CertDer: a.CertDer, CertSha256: a.CertSha256, CsrfToken: a.CsrfToken, CreatedAt: a.CreatedAt, ExpiresAt: a.ExpiresAt}
}

type ApprovalSessionRevokeParams struct {
	IDHash    []byte
	RevokedAt *time.Time
}

func (a ApprovalSessionRevokeParams) db() db.ApprovalSessionRevokeParams {
	return db.ApprovalSessionRevokeParams{IDHash: a.IDHash, RevokedAt: a.RevokedAt}
}

type AuditEvent struct {
	ID            int64
	ApplicationID string
	At            time.Time
	Kind          string
	FromState     string
	ToState       string
	Actor         string
	Data          string
	PrevHash      []byte
	Hash          []byte
	Seq           int64
	LogIndex      *int64
}

func fromAuditEvent(r db.AuditEvent) AuditEvent {
	return AuditEvent{ID: r.ID, ApplicationID: r.ApplicationID, At: r.At, Kind: r.Kind, FromState: r.FromState, ToState: r.ToState, Actor: r.Actor, Data: r.Data, PrevHash: r.PrevHash, Hash: r.Hash, Seq: r.Seq, LogIndex: r.LogIndex}
}

type CertificateForApplicationRow struct {
	Serial string
	Der    []byte
}

func fromCertificateForApplicationRow(r db.CertificateForApplicationRow) CertificateForApplicationRow {
	return CertificateForApplicationRow{Serial: r.Serial, Der: r.Der}
}

type ChallengeInsertParams struct {
	ID            string
	ApplicationID string
	Nonce         []byte
	Purpose       string
	CreatedAt     time.Time
	ExpiresAt     time.Time
}

func (a ChallengeInsertParams) db() db.ChallengeInsertParams {
	return db.ChallengeInsertParams{ID: a.ID, ApplicationID: a.ApplicationID, Nonce: a.Nonce, Purpose: a.Purpose, CreatedAt: a.CreatedAt, ExpiresAt: a.ExpiresAt}
}

type ChallengeTakeParams struct {
	At            *time.Time
	ID            string
	ApplicationID string
}

func (a ChallengeTakeParams) db() db.ChallengeTakeParams {
	return db.ChallengeTakeParams{At: a.At, ID: a.ID, ApplicationID: a.ApplicationID}
}

type ChallengeTakeRow struct {
	Nonce     []byte
	Purpose   string
	ExpiresAt time.Time
}

func fromChallengeTakeRow(r db.ChallengeTakeRow) ChallengeTakeRow {
	return ChallengeTakeRow{Nonce: r.Nonce, Purpose: r.Purpose, ExpiresAt: r.ExpiresAt}
}

type Confirmation struct {
	ID             string
	Jurisdiction   string
	OrgID          string
	HeadCertSha256 []byte
	Content        []byte
	Sha256         []byte
	Signature      []byte
	CreatedAt      time.Time
	SignedAt       *time.Time
}

func fromConfirmation(r db.Confirmation) Confirmation {
	return Confirmation{ID: r.ID, Jurisdiction: r.Jurisdiction, OrgID: r.OrgID, HeadCertSha256: r.HeadCertSha256, Content: r.Content, Sha256: r.Sha256, Signature: r.Signature, CreatedAt: r.CreatedAt, SignedAt: r.SignedAt}
}

type ConfirmationInsertParams struct {
	ID             string
	Jurisdiction   string
	OrgID          string
	HeadCertSha256 []byte
	Content        []byte
	Sha256         []byte
	CreatedAt      time.Time
}

func (a ConfirmationInsertParams) db() db.ConfirmationInsertParams {
	return db.ConfirmationInsertParams{ID: a.ID, Jurisdiction: a.Jurisdiction, OrgID: a.OrgID, HeadCertSha256: a.HeadCertSha256, Content: a.Content, Sha256: a.Sha256, CreatedAt: a.CreatedAt}
}

type ConfirmationItem struct {
	ConfirmationID    string
	ApplicationID     string
	ApplicationSha256 []byte
	Tariff            string
	AmountMinor       int64
	Currency          string
}

func fromConfirmationItem(r db.ConfirmationItem) ConfirmationItem {
	return ConfirmationItem{ConfirmationID: r.ConfirmationID, ApplicationID: r.ApplicationID, ApplicationSha256: r.ApplicationSha256, Tariff: r.Tariff, AmountMinor: r.AmountMinor, Currency: r.Currency}
}

type ConfirmationItemInsertParams struct {
	ConfirmationID    string
	ApplicationID     string
	ApplicationSha256 []byte
	Tariff            string
	AmountMinor       int64
	Currency          string
}

func (a ConfirmationItemInsertParams) db() db.ConfirmationItemInsertParams {
	return db.ConfirmationItemInsertParams{ConfirmationID: a.ConfirmationID, ApplicationID: a.ApplicationID, ApplicationSha256: a.ApplicationSha256, Tariff: a.Tariff, AmountMinor: a.AmountMinor, Currency: a.Currency}
}

type ConfirmationSignParams struct {
	ID        string
	Signature []byte
	SignedAt  *time.Time
}

func (a ConfirmationSignParams) db() db.ConfirmationSignParams {
	return db.ConfirmationSignParams{ID: a.ID, Signature: a.Signature, SignedAt: a.SignedAt}
}

type Consent struct {
	ID            int64
	ApplicationID string
	Document      string
	Version       string
	Sha256        []byte
	AcceptedAt    time.Time
	ClientIp      string
}

func fromConsent(r db.Consent) Consent {
	return Consent{ID: r.ID, ApplicationID: r.ApplicationID, Document: r.Document, Version: r.Version, Sha256: r.Sha256, AcceptedAt: r.AcceptedAt, ClientIp: r.ClientIp}
}

type ConsentInsertParams struct {
	ApplicationID string
	Document      string
	Version       string
	Sha256        []byte
	AcceptedAt    time.Time
	ClientIp      string
}

func (a ConsentInsertParams) db() db.ConsentInsertParams {
	return db.ConsentInsertParams{ApplicationID: a.ApplicationID, Document: a.Document, Version: a.Version, Sha256: a.Sha256, AcceptedAt: a.AcceptedAt, ClientIp: a.ClientIp}
}

type IntentAbandonOrphansParams struct {
	ApplicationID string
	AbandonedAt   *time.Time
}

func (a IntentAbandonOrphansParams) db() db.IntentAbandonOrphansParams {
	return db.IntentAbandonOrphansParams{ApplicationID: a.ApplicationID, AbandonedAt: a.AbandonedAt}
}

type OTPAttemptParams struct {
	MaxAttempts int32
	At          time.Time
	ID          int64
}

func (a OTPAttemptParams) db() db.OTPAttemptParams {
	return db.OTPAttemptParams{MaxAttempts: a.MaxAttempts, At: a.At, ID: a.ID}
}

type OTPCountSinceParams struct {
	Destination string
	Since       time.Time
	ClientIp    string
	Channel     string
}

func (a OTPCountSinceParams) db() db.OTPCountSinceParams {
	return db.OTPCountSinceParams{Destination: a.Destination, Since: a.Since, ClientIp: a.ClientIp, Channel: a.Channel}
}

type OTPCountSinceRow struct {
	ByDestination int64
	ByClient      int64
}

func fromOTPCountSinceRow(r db.OTPCountSinceRow) OTPCountSinceRow {
	return OTPCountSinceRow{ByDestination: r.ByDestination, ByClient: r.ByClient}
}

type OTPInsertParams struct {
	ApplicationID string
	Channel       string
	Destination   string
	CodeHash      []byte
	CreatedAt     time.Time
	ExpiresAt     time.Time
	ClientIp      string
}

func (a OTPInsertParams) db() db.OTPInsertParams {
	return db.OTPInsertParams{ApplicationID: a.ApplicationID, Channel: a.Channel, Destination: a.Destination, CodeHash: a.CodeHash, CreatedAt: a.CreatedAt, ExpiresAt: a.ExpiresAt, ClientIp: a.ClientIp}
}

type OTPLatestParams struct {
	ApplicationID string
	Channel       string
}

func (a OTPLatestParams) db() db.OTPLatestParams {
	return db.OTPLatestParams{ApplicationID: a.ApplicationID, Channel: a.Channel}
}

type OTPUseParams struct {
	ID     int64
	UsedAt *time.Time
}

func (a OTPUseParams) db() db.OTPUseParams {
	return db.OTPUseParams{ID: a.ID, UsedAt: a.UsedAt}
}

type OTPVoidOpenParams struct {
	ApplicationID string
	Channel       string
	VoidedAt      *time.Time
}

func (a OTPVoidOpenParams) db() db.OTPVoidOpenParams {
	return db.OTPVoidOpenParams{ApplicationID: a.ApplicationID, Channel: a.Channel, VoidedAt: a.VoidedAt}
}

type Otp struct {
	ID            int64
	ApplicationID string
	Channel       string
	Destination   string
	CodeHash      []byte
	CreatedAt     time.Time
	ExpiresAt     time.Time
	Attempts      int32
	UsedAt        *time.Time
	VoidedAt      *time.Time
	ClientIp      string
}

func fromOtp(r db.Otp) Otp {
	return Otp{ID: r.ID, ApplicationID: r.ApplicationID, Channel: r.Channel, Destination: r.Destination, CodeHash: r.CodeHash, CreatedAt: r.CreatedAt, ExpiresAt: r.ExpiresAt, Attempts: r.Attempts, UsedAt: r.UsedAt, VoidedAt: r.VoidedAt, ClientIp: r.ClientIp}
}

type Outbox struct {
	ID            int64
	ApplicationID *string
	Channel       string
	Recipient     string
	Subject       string
	Body          string
	Sensitive     bool
	CreatedAt     time.Time
	SentAt        *time.Time
	Attempts      int32
	LastError     string
}

func fromOutbox(r db.Outbox) Outbox {
	return Outbox{ID: r.ID, ApplicationID: r.ApplicationID, Channel: r.Channel, Recipient: r.Recipient, Subject: r.Subject, Body: r.Body, Sensitive: r.Sensitive, CreatedAt: r.CreatedAt, SentAt: r.SentAt, Attempts: r.Attempts, LastError: r.LastError}
}

type OutboxInsertParams struct {
	ApplicationID *string
	Channel       string
	Recipient     string
	Subject       string
	Body          string
	Sensitive     bool
	CreatedAt     time.Time
}

func (a OutboxInsertParams) db() db.OutboxInsertParams {
	return db.OutboxInsertParams{ApplicationID: a.ApplicationID, Channel: a.Channel, Recipient: a.Recipient, Subject: a.Subject, Body: a.Body, Sensitive: a.Sensitive, CreatedAt: a.CreatedAt}
}

type OutboxMarkFailedParams struct {
	ID        int64
	LastError string
	Final     bool
	Redact    bool
}

func (a OutboxMarkFailedParams) db() db.OutboxMarkFailedParams {
	return db.OutboxMarkFailedParams{ID: a.ID, LastError: a.LastError, Final: a.Final, Redact: a.Redact}
}

type OutboxMarkSentParams struct {
	ID     int64
	SentAt *time.Time
	Redact bool
}

func (a OutboxMarkSentParams) db() db.OutboxMarkSentParams {
	return db.OutboxMarkSentParams{ID: a.ID, SentAt: a.SentAt, Redact: a.Redact}
}

type Payment struct {
	ID            string
	ApplicationID string
	Method        string
	ProviderRef   *string
	AmountMinor   int64
	Currency      string
	Status        string
	RedirectUrl   string
	EripCode      string
	InvoiceNumber *string
	PayerInn      string
	CreatedAt     time.Time
	PaidAt        *time.Time
	RefundedAt    *time.Time
}

func fromPayment(r db.Payment) Payment {
	return Payment{ID: r.ID, ApplicationID: r.ApplicationID, Method: r.Method, ProviderRef: r.ProviderRef, AmountMinor: r.AmountMinor, Currency: r.Currency, Status: r.Status, RedirectUrl: r.RedirectUrl, EripCode: r.EripCode, InvoiceNumber: r.InvoiceNumber, PayerInn: r.PayerInn, CreatedAt: r.CreatedAt, PaidAt: r.PaidAt, RefundedAt: r.RefundedAt}
}

type PaymentEventInsertParams struct {
	Provider   string
	EventID    string
	PaymentID  string
	Kind       string
	ReceivedAt time.Time
}

func (a PaymentEventInsertParams) db() db.PaymentEventInsertParams {
	return db.PaymentEventInsertParams{Provider: a.Provider, EventID: a.EventID, PaymentID: a.PaymentID, Kind: a.Kind, ReceivedAt: a.ReceivedAt}
}

type PaymentInsertParams struct {
	ID            string
	ApplicationID string
	Method        string
	ProviderRef   *string
	AmountMinor   int64
	Currency      string
	RedirectUrl   string
	EripCode      string
	InvoiceNumber *string
	PayerInn      string
	CreatedAt     time.Time
}

func (a PaymentInsertParams) db() db.PaymentInsertParams {
	return db.PaymentInsertParams{ID: a.ID, ApplicationID: a.ApplicationID, Method: a.Method, ProviderRef: a.ProviderRef, AmountMinor: a.AmountMinor, Currency: a.Currency, RedirectUrl: a.RedirectUrl, EripCode: a.EripCode, InvoiceNumber: a.InvoiceNumber, PayerInn: a.PayerInn, CreatedAt: a.CreatedAt}
}

type PaymentItemInsertParams struct {
	PaymentID     string
	ApplicationID string
}

func (a PaymentItemInsertParams) db() db.PaymentItemInsertParams {
	return db.PaymentItemInsertParams{PaymentID: a.PaymentID, ApplicationID: a.ApplicationID}
}

type PaymentReview struct {
	ID            int64
	StatementID   *int64  // nil: an entry of an application, not of a statement
	ApplicationID *string // set for an application's entry
	PaymentID     *string
	DocNumber     string
	DocDate       string
	AmountMinor   int64
	PayerInn      string
	PayerName     string
	Purpose       string
	Kind          string
	ReasonRu      string
	ReasonEn      string
	CreatedAt     time.Time
	ResolvedAt    *time.Time
}

func fromPaymentReview(r db.PaymentReview) PaymentReview {
	return PaymentReview{ID: r.ID, StatementID: r.StatementID, ApplicationID: r.ApplicationID, PaymentID: r.PaymentID, DocNumber: r.DocNumber, DocDate: r.DocDate, AmountMinor: r.AmountMinor, PayerInn: r.PayerInn, PayerName: r.PayerName, Purpose: r.Purpose, Kind: r.Kind, ReasonRu: r.ReasonRu, ReasonEn: r.ReasonEn, CreatedAt: r.CreatedAt, ResolvedAt: r.ResolvedAt}
}

type PaymentSetStatusParams struct {
	ID     string
	Status string
	At     time.Time
}

func (a PaymentSetStatusParams) db() db.PaymentSetStatusParams {
	return db.PaymentSetStatusParams{ID: a.ID, Status: a.Status, At: a.At}
}

type RegistryCheck struct {
	ApplicationID string
	Status        string
	Attempts      int32
	LastError     string
	Steps         string
	StartedAt     time.Time
	FinishedAt    *time.Time
}

func fromRegistryCheck(r db.RegistryCheck) RegistryCheck {
	return RegistryCheck{ApplicationID: r.ApplicationID, Status: r.Status, Attempts: r.Attempts, LastError: r.LastError, Steps: r.Steps, StartedAt: r.StartedAt, FinishedAt: r.FinishedAt}
}

type RegistryCheckUpsertParams struct {
	ApplicationID string
	Status        string
	Attempts      int32
	LastError     string
	Steps         string
	StartedAt     time.Time
	FinishedAt    *time.Time
}

func (a RegistryCheckUpsertParams) db() db.RegistryCheckUpsertParams {
	return db.RegistryCheckUpsertParams{ApplicationID: a.ApplicationID, Status: a.Status, Attempts: a.Attempts, LastError: a.LastError, Steps: a.Steps, StartedAt: a.StartedAt, FinishedAt: a.FinishedAt}
}

type ResumeLinkGetParams struct {
	TokenHash []byte
	ExpiresAt time.Time
}

func (a ResumeLinkGetParams) db() db.ResumeLinkGetParams {
	return db.ResumeLinkGetParams{TokenHash: a.TokenHash, ExpiresAt: a.ExpiresAt}
}

type ResumeLinkInsertParams struct {
	TokenHash     []byte
	ApplicationID string
	CreatedAt     time.Time
	ExpiresAt     time.Time
}

func (a ResumeLinkInsertParams) db() db.ResumeLinkInsertParams {
	return db.ResumeLinkInsertParams{TokenHash: a.TokenHash, ApplicationID: a.ApplicationID, CreatedAt: a.CreatedAt, ExpiresAt: a.ExpiresAt}
}

type ReviewInsertParams struct {
	StatementID int64
	PaymentID   *string
	DocNumber   string
	DocDate     string
	AmountMinor int64
	PayerInn    string
	PayerName   string
	Purpose     string
	Kind        string
	ReasonRu    string
	ReasonEn    string
	CreatedAt   time.Time
}

func (a ReviewInsertParams) db() db.ReviewInsertParams {
	return db.ReviewInsertParams{StatementID: &a.StatementID, PaymentID: a.PaymentID, DocNumber: a.DocNumber, DocDate: a.DocDate, AmountMinor: a.AmountMinor, PayerInn: a.PayerInn, PayerName: a.PayerName, Purpose: a.Purpose, Kind: a.Kind, ReasonRu: a.ReasonRu, ReasonEn: a.ReasonEn, CreatedAt: a.CreatedAt}
}

type Session struct {
	IDHash        []byte
	ApplicationID string
	CertSha256    []byte
	CsrfToken     string
	CreatedAt     time.Time
	ExpiresAt     time.Time
	RevokedAt     *time.Time
}

func fromSession(r db.Session) Session {
	return Session{IDHash: r.IDHash, ApplicationID: r.ApplicationID, CertSha256: r.CertSha256, CsrfToken: r.CsrfToken, CreatedAt: r.CreatedAt, ExpiresAt: r.ExpiresAt, RevokedAt: r.RevokedAt}
}

type SessionGetParams struct {
	IDHash    []byte
	ExpiresAt time.Time
}

func (a SessionGetParams) db() db.SessionGetParams {
	return db.SessionGetParams{IDHash: a.IDHash, ExpiresAt: a.ExpiresAt}
}

type SessionInsertParams struct {
	IDHash        []byte
	ApplicationID string
	CertSha256    []byte
	CsrfToken     string
	CreatedAt     time.Time
	ExpiresAt     time.Time
}

func (a SessionInsertParams) db() db.SessionInsertParams {
	return db.SessionInsertParams{IDHash: a.IDHash, ApplicationID: a.ApplicationID, CertSha256: a.CertSha256, CsrfToken: a.CsrfToken, CreatedAt: a.CreatedAt, ExpiresAt: a.ExpiresAt}
}

type SessionRevokeParams struct {
	IDHash    []byte
	RevokedAt *time.Time
}

func (a SessionRevokeParams) db() db.SessionRevokeParams {
	return db.SessionRevokeParams{IDHash: a.IDHash, RevokedAt: a.RevokedAt}
}

type SignedDocument struct {
	ID            int64
	ApplicationID string
	Kind          string
	Content       []byte
	Sha256        []byte
	Signature     []byte
	SignerSha256  []byte
	CreatedAt     time.Time
	SignedAt      *time.Time
}

func fromSignedDocument(r db.SignedDocument) SignedDocument {
	return SignedDocument{ID: r.ID, ApplicationID: r.ApplicationID, Kind: r.Kind, Content: r.Content, Sha256: r.Sha256, Signature: r.Signature, SignerSha256: r.SignerSha256, CreatedAt: r.CreatedAt, SignedAt: r.SignedAt}
}

type SignedDocumentGetParams struct {
	ApplicationID string
	Kind          string
}

func (a SignedDocumentGetParams) db() db.SignedDocumentGetParams {
	return db.SignedDocumentGetParams{ApplicationID: a.ApplicationID, Kind: a.Kind}
}

type SignedDocumentSignParams struct {
	ApplicationID string
	Kind          string
	Signature     []byte
	SignerSha256  []byte
	SignedAt      *time.Time
}

func (a SignedDocumentSignParams) db() db.SignedDocumentSignParams {
	return db.SignedDocumentSignParams{ApplicationID: a.ApplicationID, Kind: a.Kind, Signature: a.Signature, SignerSha256: a.SignerSha256, SignedAt: a.SignedAt}
}

type SignedDocumentUpsertParams struct {
	ApplicationID string
	Kind          string
	Content       []byte
	Sha256        []byte
	CreatedAt     time.Time
}

func (a SignedDocumentUpsertParams) db() db.SignedDocumentUpsertParams {
	return db.SignedDocumentUpsertParams{ApplicationID: a.ApplicationID, Kind: a.Kind, Content: a.Content, Sha256: a.Sha256, CreatedAt: a.CreatedAt}
}

type StatementInsertParams struct {
	Sha256     []byte
	Filename   string
	Documents  int32
	ImportedAt time.Time
}

func (a StatementInsertParams) db() db.StatementInsertParams {
	return db.StatementInsertParams{Sha256: a.Sha256, Filename: a.Filename, Documents: a.Documents, ImportedAt: a.ImportedAt}
}

type PaymentItemSetPaidParams struct {
	PaymentID     string
	ApplicationID string
	At            time.Time
}

type ReviewInsertForApplicationParams struct {
	ApplicationID string
	PaymentID     string
	AmountMinor   int64
	Kind          string
	ReasonRu      string
	ReasonEn      string
	CreatedAt     time.Time
}
