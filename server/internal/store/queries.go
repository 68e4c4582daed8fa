package store

import (
	"time"

	"context"

	"renewal/server/internal/store/internal/db"
)

// Queries are the entity-first methods on one connection: the pool's
// (Store) or a transaction's (Tx). Code that runs both inside and
// outside a transaction takes a Queries, never the Store.
type Queries struct{ db *db.Queries }

func (q Queries) ApplicationSetOrg(ctx context.Context, arg ApplicationSetOrgParams) error {
	return mapErr(q.db.ApplicationSetOrg(ctx, arg.db()))
}

func (q Queries) ApplicationsApprovedUnpaid(ctx context.Context, arg ApplicationsApprovedUnpaidParams) ([]Application, error) {
	rows, err := q.db.ApplicationsApprovedUnpaid(ctx, arg.db())
	if err != nil {
		return nil, mapErr(err)
	}
	out := make([]Application, len(rows))
	for i, r := range rows {
		out[i] = fromApplication(r)
	}
	return out, nil
}

func (q Queries) ApplicationsAwaitingApproval(ctx context.Context, arg ApplicationsAwaitingApprovalParams) ([]Application, error) {
	rows, err := q.db.ApplicationsAwaitingApproval(ctx, arg.db())
	if err != nil {
		return nil, mapErr(err)
	}
	out := make([]Application, len(rows))
	for i, r := range rows {
		out[i] = fromApplication(r)
	}
	return out, nil
}

func (q Queries) ApprovalChallengeInsert(ctx context.Context, arg ApprovalChallengeInsertParams) error {
	return mapErr(q.db.ApprovalChallengeInsert(ctx, arg.db()))
}

func (q Queries) ApprovalChallengeTake(ctx context.Context, arg ApprovalChallengeTakeParams) (ApprovalChallengeTakeRow, error) {
	r, err := q.db.ApprovalChallengeTake(ctx, arg.db())
	if err != nil {
		return ApprovalChallengeTakeRow{}, mapErr(err)
	}
	return fromApprovalChallengeTakeRow(r), nil
}

func (q Queries) ApprovalLinkInsert(ctx context.Context, arg ApprovalLinkInsertParams) error {
	return mapErr(q.db.ApprovalLinkInsert(ctx, arg.db()))
}

func (q Queries) ApprovalLinkTake(ctx context.Context, arg ApprovalLinkTakeParams) (ApprovalLinkTakeRow, error) {
	r, err := q.db.ApprovalLinkTake(ctx, arg.db())
	if err != nil {
		return ApprovalLinkTakeRow{}, mapErr(err)
	}
	return fromApprovalLinkTakeRow(r), nil
}

func (q Queries) ApprovalSessionGet(ctx context.Context, arg ApprovalSessionGetParams) (ApprovalSession, error) {
	r, err := q.db.ApprovalSessionGet(ctx, arg.db())
	if err != nil {
		return ApprovalSession{}, mapErr(err)
	}
	return fromApprovalSession(r), nil
}

func (q Queries) ApprovalSessionInsert(ctx context.Context, arg ApprovalSessionInsertParams) error {
	return mapErr(q.db.ApprovalSessionInsert(ctx, arg.db()))
}

func (q Queries) ApprovalSessionRevoke(ctx context.Context, arg ApprovalSessionRevokeParams) error {
	return mapErr(q.db.ApprovalSessionRevoke(ctx, arg.db()))
}

func (q Queries) ConfirmationForApplication(ctx context.Context, applicationID string) (Confirmation, error) {
	r, err := q.db.ConfirmationForApplication(ctx, applicationID)
	if err != nil {
		return Confirmation{}, mapErr(err)
	}
	return fromConfirmation(r), nil
}

func (q Queries) ConfirmationGet(ctx context.Context, id string) (Confirmation, error) {
	r, err := q.db.ConfirmationGet(ctx, id)
	if err != nil {
		return Confirmation{}, mapErr(err)
	}
	return fromConfirmation(r), nil
}

func (q Queries) ConfirmationGetForUpdate(ctx context.Context, id string) (Confirmation, error) {
	r, err := q.db.ConfirmationGetForUpdate(ctx, id)
	if err != nil {
		return Confirmation{}, mapErr(err)
	}
	return fromConfirmation(r), nil
}

func (q Queries) ConfirmationInsert(ctx context.Context, arg ConfirmationInsertParams) error {
	return mapErr(q.db.ConfirmationInsert(ctx, arg.db()))
}

func (q Queries) ConfirmationItemInsert(ctx context.Context, arg ConfirmationItemInsertParams) error {
	return mapErr(q.db.ConfirmationItemInsert(ctx, arg.db()))
}

func (q Queries) ConfirmationItems(ctx context.Context, confirmationID string) ([]ConfirmationItem, error) {
	rows, err := q.db.ConfirmationItems(ctx, confirmationID)
	if err != nil {
		return nil, mapErr(err)
	}
	out := make([]ConfirmationItem, len(rows))
	for i, r := range rows {
		out[i] = fromConfirmationItem(r)
	}
	return out, nil
}

func (q Queries) ConfirmationSign(ctx context.Context, arg ConfirmationSignParams) error {
	return mapErr(q.db.ConfirmationSign(ctx, arg.db()))
}

func (q Queries) PaymentItemInsert(ctx context.Context, arg PaymentItemInsertParams) error {
	return mapErr(q.db.PaymentItemInsert(ctx, arg.db()))
}

func (q Queries) PaymentItems(ctx context.Context, paymentID string) ([]string, error) {
	r, err := q.db.PaymentItems(ctx, paymentID)
	return r, mapErr(err)
}

func (q Queries) AuditForApplication(ctx context.Context, applicationID string) ([]AuditEvent, error) {
	rows, err := q.db.AuditForApplication(ctx, applicationID)
	if err != nil {
		return nil, mapErr(err)
	}
	out := make([]AuditEvent, len(rows))
	for i, r := range rows {
		out[i] = fromAuditEvent(r)
	}
	return out, nil
}

func (q Queries) CertificateForApplication(ctx context.Context, applicationID *string) (CertificateForApplicationRow, error) {
	r, err := q.db.CertificateForApplication(ctx, applicationID)
	if err != nil {
		return CertificateForApplicationRow{}, mapErr(err)
	}
	return fromCertificateForApplicationRow(r), nil
}

func (q Queries) IntentAbandonOrphans(ctx context.Context, arg IntentAbandonOrphansParams) (int64, error) {
	r, err := q.db.IntentAbandonOrphans(ctx, arg.db())
	return r, mapErr(err)
}

func (q Queries) ApplicationSetCSR(ctx context.Context, arg ApplicationSetCSRParams) error {
	return mapErr(q.db.ApplicationSetCSR(ctx, arg.db()))
}

func (q Queries) ApplicationSetIssued(ctx context.Context, arg ApplicationSetIssuedParams) error {
	return mapErr(q.db.ApplicationSetIssued(ctx, arg.db()))
}

// NumberKind names a counter of readable numbers.
type NumberKind string

const (
	NumberApplication NumberKind = "application"
	NumberAct         NumberKind = "act"
	NumberInvoice     NumberKind = "invoice"
)

// NumberNext takes the next number of a kind in a year. Call it inside
// the transaction that creates the numbered thing: the counter row stays
// locked until that transaction ends, so numbers are unique and a
// rolled-back one is given again rather than lost.
func (q Queries) NumberNext(ctx context.Context, kind NumberKind, year int) (int64, error) {
	r, err := q.db.NumberNext(ctx, db.NumberNextParams{Kind: string(kind), Year: int32(year)})
	return r, mapErr(err)
}

// ApplicationSetNumber sets an application's readable number.
func (q Queries) ApplicationSetNumber(ctx context.Context, id, number string) error {
	return mapErr(q.db.ApplicationSetNumber(ctx, db.ApplicationSetNumberParams{ID: id, Number: number}))
}

func (q Queries) ApplicationSetReceiptEmail(ctx context.Context, id string, email *string, at time.Time) error {
	return mapErr(q.db.ApplicationSetReceiptEmail(ctx, db.ApplicationSetReceiptEmailParams{ID: id, ReceiptEmail: email, UpdatedAt: at}))
}

func (q Queries) PaymentByInvoice(ctx context.Context, invoiceNumber *string) (Payment, error) {
	r, err := q.db.PaymentByInvoice(ctx, invoiceNumber)
	if err != nil {
		return Payment{}, mapErr(err)
	}
	return fromPayment(r), nil
}

func (q Queries) PaymentEventInsert(ctx context.Context, arg PaymentEventInsertParams) (int64, error) {
	r, err := q.db.PaymentEventInsert(ctx, arg.db())
	return r, mapErr(err)
}

func (q Queries) PaymentGet(ctx context.Context, id string) (Payment, error) {
	r, err := q.db.PaymentGet(ctx, id)
	if err != nil {
		return Payment{}, mapErr(err)
	}
	return fromPayment(r), nil
}

func (q Queries) PaymentGetForUpdate(ctx context.Context, id string) (Payment, error) {
	r, err := q.db.PaymentGetForUpdate(ctx, id)
	if err != nil {
		return Payment{}, mapErr(err)
	}
	return fromPayment(r), nil
}

func (q Queries) PaymentInsert(ctx context.Context, arg PaymentInsertParams) error {
	return mapErr(q.db.PaymentInsert(ctx, arg.db()))
}

func (q Queries) PaymentLatest(ctx context.Context, applicationID string) (Payment, error) {
	r, err := q.db.PaymentLatest(ctx, applicationID)
	if err != nil {
		return Payment{}, mapErr(err)
	}
	return fromPayment(r), nil
}

func (q Queries) PaymentOpenInvoices(ctx context.Context) ([]Payment, error) {
	rows, err := q.db.PaymentOpenInvoices(ctx)
	if err != nil {
		return nil, mapErr(err)
	}
	out := make([]Payment, len(rows))
	for i, r := range rows {
		out[i] = fromPayment(r)
	}
	return out, nil
}

func (q Queries) PaymentSetStatus(ctx context.Context, arg PaymentSetStatusParams) error {
	return mapErr(q.db.PaymentSetStatus(ctx, arg.db()))
}

func (q Queries) ReviewInsert(ctx context.Context, arg ReviewInsertParams) error {
	return mapErr(q.db.ReviewInsert(ctx, arg.db()))
}

func (q Queries) ReviewList(ctx context.Context) ([]PaymentReview, error) {
	rows, err := q.db.ReviewList(ctx)
	if err != nil {
		return nil, mapErr(err)
	}
	out := make([]PaymentReview, len(rows))
	for i, r := range rows {
		out[i] = fromPaymentReview(r)
	}
	return out, nil
}

func (q Queries) StatementInsert(ctx context.Context, arg StatementInsertParams) (int64, error) {
	r, err := q.db.StatementInsert(ctx, arg.db())
	return r, mapErr(err)
}

func (q Queries) ApplicationGet(ctx context.Context, id string) (Application, error) {
	r, err := q.db.ApplicationGet(ctx, id)
	if err != nil {
		return Application{}, mapErr(err)
	}
	return fromApplication(r), nil
}

func (q Queries) ApplicationGetForUpdate(ctx context.Context, id string) (Application, error) {
	r, err := q.db.ApplicationGetForUpdate(ctx, id)
	if err != nil {
		return Application{}, mapErr(err)
	}
	return fromApplication(r), nil
}

func (q Queries) ApplicationInsert(ctx context.Context, arg ApplicationInsertParams) error {
	return mapErr(q.db.ApplicationInsert(ctx, arg.db()))
}

func (q Queries) ApplicationOpenForCertificate(ctx context.Context, certSha256 []byte) (Application, error) {
	r, err := q.db.ApplicationOpenForCertificate(ctx, certSha256)
	if err != nil {
		return Application{}, mapErr(err)
	}
	return fromApplication(r), nil
}

func (q Queries) ApplicationSetCertificate(ctx context.Context, arg ApplicationSetCertificateParams) error {
	return mapErr(q.db.ApplicationSetCertificate(ctx, arg.db()))
}

func (q Queries) ApplicationSetContactVerified(ctx context.Context, arg ApplicationSetContactVerifiedParams) error {
	return mapErr(q.db.ApplicationSetContactVerified(ctx, arg.db()))
}

func (q Queries) ApplicationSetPersonalData(ctx context.Context, arg ApplicationSetPersonalDataParams) error {
	return mapErr(q.db.ApplicationSetPersonalData(ctx, arg.db()))
}

func (q Queries) ApplicationSetRejection(ctx context.Context, arg ApplicationSetRejectionParams) error {
	return mapErr(q.db.ApplicationSetRejection(ctx, arg.db()))
}

func (q Queries) ApplicationSetState(ctx context.Context, arg ApplicationSetStateParams) (int64, error) {
	r, err := q.db.ApplicationSetState(ctx, arg.db())
	return r, mapErr(err)
}

func (q Queries) ApplicationSetTariff(ctx context.Context, arg ApplicationSetTariffParams) error {
	return mapErr(q.db.ApplicationSetTariff(ctx, arg.db()))
}

func (q Queries) ChallengeInsert(ctx context.Context, arg ChallengeInsertParams) error {
	return mapErr(q.db.ChallengeInsert(ctx, arg.db()))
}

func (q Queries) ChallengeTake(ctx context.Context, arg ChallengeTakeParams) (ChallengeTakeRow, error) {
	r, err := q.db.ChallengeTake(ctx, arg.db())
	if err != nil {
		return ChallengeTakeRow{}, mapErr(err)
	}
	return fromChallengeTakeRow(r), nil
}

func (q Queries) ConsentInsert(ctx context.Context, arg ConsentInsertParams) error {
	return mapErr(q.db.ConsentInsert(ctx, arg.db()))
}

func (q Queries) ConsentList(ctx context.Context, applicationID string) ([]Consent, error) {
	rows, err := q.db.ConsentList(ctx, applicationID)
	if err != nil {
		return nil, mapErr(err)
	}
	out := make([]Consent, len(rows))
	for i, r := range rows {
		out[i] = fromConsent(r)
	}
	return out, nil
}

func (q Queries) OTPAttempt(ctx context.Context, arg OTPAttemptParams) error {
	return mapErr(q.db.OTPAttempt(ctx, arg.db()))
}

func (q Queries) OTPCountSince(ctx context.Context, arg OTPCountSinceParams) (OTPCountSinceRow, error) {
	r, err := q.db.OTPCountSince(ctx, arg.db())
	if err != nil {
		return OTPCountSinceRow{}, mapErr(err)
	}
	return fromOTPCountSinceRow(r), nil
}

func (q Queries) OTPInsert(ctx context.Context, arg OTPInsertParams) (int64, error) {
	r, err := q.db.OTPInsert(ctx, arg.db())
	return r, mapErr(err)
}

func (q Queries) OTPLatest(ctx context.Context, arg OTPLatestParams) (Otp, error) {
	r, err := q.db.OTPLatest(ctx, arg.db())
	if err != nil {
		return Otp{}, mapErr(err)
	}
	return fromOtp(r), nil
}

func (q Queries) OTPUse(ctx context.Context, arg OTPUseParams) error {
	return mapErr(q.db.OTPUse(ctx, arg.db()))
}

func (q Queries) OTPVoidOpen(ctx context.Context, arg OTPVoidOpenParams) error {
	return mapErr(q.db.OTPVoidOpen(ctx, arg.db()))
}

func (q Queries) OutboxGet(ctx context.Context, id int64) (Outbox, error) {
	r, err := q.db.OutboxGet(ctx, id)
	if err != nil {
		return Outbox{}, mapErr(err)
	}
	return fromOutbox(r), nil
}

func (q Queries) OutboxInsert(ctx context.Context, arg OutboxInsertParams) (int64, error) {
	r, err := q.db.OutboxInsert(ctx, arg.db())
	return r, mapErr(err)
}

func (q Queries) OutboxList(ctx context.Context, limit int32) ([]Outbox, error) {
	rows, err := q.db.OutboxList(ctx, limit)
	if err != nil {
		return nil, mapErr(err)
	}
	out := make([]Outbox, len(rows))
	for i, r := range rows {
		out[i] = fromOutbox(r)
	}
	return out, nil
}

func (q Queries) OutboxMarkFailed(ctx context.Context, arg OutboxMarkFailedParams) error {
	return mapErr(q.db.OutboxMarkFailed(ctx, arg.db()))
}

func (q Queries) OutboxMarkSent(ctx context.Context, arg OutboxMarkSentParams) error {
	return mapErr(q.db.OutboxMarkSent(ctx, arg.db()))
}

func (q Queries) RegistryCheckGet(ctx context.Context, applicationID string) (RegistryCheck, error) {
	r, err := q.db.RegistryCheckGet(ctx, applicationID)
	if err != nil {
		return RegistryCheck{}, mapErr(err)
	}
	return fromRegistryCheck(r), nil
}

func (q Queries) RegistryCheckUpsert(ctx context.Context, arg RegistryCheckUpsertParams) error {
	return mapErr(q.db.RegistryCheckUpsert(ctx, arg.db()))
}

func (q Queries) ResumeLinkGet(ctx context.Context, arg ResumeLinkGetParams) (string, error) {
	r, err := q.db.ResumeLinkGet(ctx, arg.db())
	return r, mapErr(err)
}

func (q Queries) ResumeLinkInsert(ctx context.Context, arg ResumeLinkInsertParams) error {
	return mapErr(q.db.ResumeLinkInsert(ctx, arg.db()))
}

func (q Queries) SessionGet(ctx context.Context, arg SessionGetParams) (Session, error) {
	r, err := q.db.SessionGet(ctx, arg.db())
	if err != nil {
		return Session{}, mapErr(err)
	}
	return fromSession(r), nil
}

func (q Queries) SessionInsert(ctx context.Context, arg SessionInsertParams) error {
	return mapErr(q.db.SessionInsert(ctx, arg.db()))
}

func (q Queries) SessionRevoke(ctx context.Context, arg SessionRevokeParams) error {
	return mapErr(q.db.SessionRevoke(ctx, arg.db()))
}

func (q Queries) SignedDocumentGet(ctx context.Context, arg SignedDocumentGetParams) (SignedDocument, error) {
	r, err := q.db.SignedDocumentGet(ctx, arg.db())
	if err != nil {
		return SignedDocument{}, mapErr(err)
	}
	return fromSignedDocument(r), nil
}

func (q Queries) SignedDocumentSign(ctx context.Context, arg SignedDocumentSignParams) (int64, error) {
	r, err := q.db.SignedDocumentSign(ctx, arg.db())
	return r, mapErr(err)
}

func (q Queries) SignedDocumentUpsert(ctx context.Context, arg SignedDocumentUpsertParams) error {
	return mapErr(q.db.SignedDocumentUpsert(ctx, arg.db()))
}

func (q Queries) PaymentItemSetPaid(ctx context.Context, arg PaymentItemSetPaidParams) error {
	return mapErr(q.db.PaymentItemSetPaid(ctx, db.PaymentItemSetPaidParams{PaymentID: arg.PaymentID, ApplicationID: arg.ApplicationID, At: arg.At}))
}

// PaymentItemsPaid lists the applications a head's payment paid for.
func (q Queries) PaymentItemsPaid(ctx context.Context, paymentID string) ([]string, error) {
	r, err := q.db.PaymentItemsPaid(ctx, paymentID)
	return r, mapErr(err)
}

// ReviewInsertForApplication puts an application in the operator's review
// queue; it returns 0 when the same entry is there already.
func (q Queries) ReviewInsertForApplication(ctx context.Context, arg ReviewInsertForApplicationParams) (int64, error) {
	n, err := q.db.ReviewInsertForApplication(ctx, db.ReviewInsertForApplicationParams{ApplicationID: &arg.ApplicationID, PaymentID: &arg.PaymentID,
		AmountMinor: arg.AmountMinor, Kind: arg.Kind, ReasonRu: arg.ReasonRu, ReasonEn: arg.ReasonEn, CreatedAt: arg.CreatedAt})
	return n, mapErr(err)
}

// PaymentAuditStreamLock orders, until the transaction ends, the audit
// events of one stream that has no application row to lock.
func (q Queries) PaymentAuditStreamLock(ctx context.Context, stream string) error {
	return mapErr(q.db.PaymentAuditStreamLock(ctx, stream))
}

// PaymentIDByProviderRef is the id of our payment with a provider's
// reference.
func (q Queries) PaymentIDByProviderRef(ctx context.Context, method, providerRef string) (string, error) {
	id, err := q.db.PaymentIDByProviderRef(ctx, db.PaymentIDByProviderRefParams{Method: method, ProviderRef: &providerRef})
	return id, mapErr(err)
}

// PaymentLatestPaidForOrg is the organisation's last paid payment for
// its employees' requests.
func (q Queries) PaymentLatestPaidForOrg(ctx context.Context, jurisdiction, orgID string) (Payment, error) {
	r, err := q.db.PaymentLatestPaidForOrg(ctx, db.PaymentLatestPaidForOrgParams{Jurisdiction: jurisdiction, OrgID: &orgID})
	if err != nil {
		return Payment{}, mapErr(err)
	}
	return fromPayment(r), nil
}
