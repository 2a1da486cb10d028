package data

// The index of Decision 766 (issue 17) in SQL over DuckDB: for one period and a list of
// units, what each indicator's rule counts, from the kept dossiers, the catalogue version
// in force and the feedback. The scoring (points from counts) is metrics' own; metrics'
// record-level reference computes the same counts in Go, and a test holds the two equal.

// Index766Counts are what the rules of the 766 index count for one unit and period: every
// indicator's numerator and denominator, and what decides "no data" and the notes. The
// populations are issue 17's: "received" in the period, "handled" (ended in it or open at
// its end), "ended" (resolved in it); procedures "in force" on the period's last day and
// "announced" in it, one entry per code (the unit's own before a level-wide one).
type Index766Counts struct {
	UnitCode string
	Kind     string // ministry | province

	ProcsInForce       int // 1.3 and 3.1's denominator
	ProcsAnnounced     int // 1.1 and 1.2's denominator
	AnnouncedOnTime    int // 1.1
	PublishedOnTime    int // 1.2
	ComponentsKnown    int // procedures in force with components_complete filled in
	ComponentsComplete int // 1.3
	OfferedOnline      int // 3.1; 3.2's denominator
	OnlineUsed         int // 3.2
	FeeProcs           int // 3.5's denominator
	FeeIntegrated      int // 3.5

	Received        int // dossiers received in the period
	SyncedKnown     int // … with synced filled in
	Synced          int // 1.4
	OnlineCounting  int // 3.3: online, and with an electronic result when the procedure has a paper result
	OnlinePaper     int // online ones of paper_result procedures
	ElectronicKnown int // … with electronic_result filled in
	PaperReceived   int // … of paper_result procedures
	FeeDossiers     int // 3.6's denominator
	PaidOnline      int // 3.6
	DigitizedOK     int // 4.2
	ReusedKnown     int
	Reused          int // 4.3
	StoreKnown      int
	Store           int // 4.4
	VNeIDKnown      int
	VNeID           int // 4.5

	Handled           int // dossiers handled in the period (2.1, 5.4)
	HandledOnTime     int // 2.1
	HandledComplained int // with complaint or rating dissatisfied (5.4)
	SupplementUndated int // one supplement request without its date: nothing taken off
	MissingProcedures int // distinct procedure codes of handled dossiers not in the catalogue

	Ended                int     // dossiers resolved in the period (2.2, 4.1)
	EndedDays            float64 // Σ (end′ − received_at) in days of 24 h (2.2)
	EndedPaper           int     // … of paper_result procedures (4.1's denominator)
	EndedPaperKnown      int     // … with electronic_result filled in
	EndedPaperElectronic int     // 4.1

	FeedbackReceived      int // in the period (5.1, 5.3)
	FeedbackClassified    int // 5.1
	FeedbackDisliked      int // received and disliked (5.3)
	FeedbackLateReceived  int // received and late at the period's end (5.3)
	FeedbackHandled       int // closed in the period or open at its end (5.2)
	FeedbackHandledOnTime int // 5.2

	// Averages are 2.2 by procedure code, in code order.
	Averages []ProcedureDays
}

// ProcedureDays is the time the dossiers of one procedure ended in the period took.
type ProcedureDays struct {
	Code     string
	NameVI   string // empty when the procedure is not in the catalogue
	Dossiers int
	Days     float64 // the sum, in days of 24 h
}

// Index766Rules are the rules' windows in working days (metrics' index766.toml).
type Index766Rules struct {
	AnnounceLead  map[string]int // by unit kind (1.1)
	PublishWithin map[string]int // by unit kind (1.2)
	FeedbackDays  map[string]int // by outcome (5.2): handled, refused, supplement_requested
}

// Index766Unit is a unit to count: its code and kind (ministry or province).
type Index766Unit struct {
	Code string
	Kind string
}
