package dashboard

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/egovkpi/egovkpi/data"
)

// routes registers every route with who may use it; guard enforces it. One table: a
// reviewer reads here what the app answers and to whom (the access matrix test checks
// it route by route).
func (s *Server) routes(e *echo.Echo) {
	r := func(method, path string, a access, h echo.HandlerFunc, m ...echo.MiddlewareFunc) {
		e.Add(method, path, h, append([]echo.MiddlewareFunc{s.guard(a)}, m...)...)
	}
	r(GET, "/api/v1/health", open, s.health)
	r(GET, "/api/v1/units", reader, s.listUnits)
	r(GET, "/api/v1/measures", reader, s.listMeasures)
	r(GET, "/api/v1/coverage", reader, s.coverage)
	r(GET, "/api/v1/indicators", reader, s.listIndicators)
	r(GET, "/api/v1/rankings", reader, s.rankings)
	r(GET, "/api/v1/composite", reader, s.composite)
	r(GET, "/api/v1/units/:code/index766", reader, s.unitIndex766)
	// the reconciliation with the portal's scores: the committee's and admins', who import them
	r(GET, "/api/v1/index766/reconciliation", auditor, s.apiReconciliation)
	r(GET, "/api/v1/exports/reconciliation.xlsx", auditor, s.exportReconciliation)
	r(GET, "/reconcile", auditor, s.reconcilePage)
	r(GET, "/reconcile/template.xlsx", auditor, s.reconcileTemplate)
	r(GET, "/api/v1/units/:code/worklist", reader, s.unitWorklist)
	r(GET, "/api/v1/units/:code/series", reader, s.series)
	r(GET, "/api/v1/units/:province/agencies", reader, s.listAgencies)
	r(POST, "/api/v1/units/:province/agencies", uploader, s.addAgency)
	r(GET, "/api/v1/commune-reporting", reader, s.listCommuneReporting)
	r(PUT, "/api/v1/units/:province/commune-reporting", uploader, s.setCommuneReporting)
	r(GET, "/api/v1/completeness", reader, s.completeness)
	r(GET, "/api/v1/submissions", reader, s.listSubmissions)
	r(POST, "/api/v1/submissions", uploader, s.upload)
	r(GET, "/api/v1/submissions/marked/:id", uploader, s.markedFile)
	r(GET, "/template.xlsx", uploader, s.template)
	r(GET, "/api/v1/exports/rankings.xlsx", exporter, s.exportRankings)
	r(GET, "/api/v1/exports/trend.xlsx", exporter, s.exportTrend)
	r(GET, "/api/v1/exports/raw.:format", exporter, s.exportRaw)
	r(GET, "/api/v1/exports/trends.xlsx", exporter, s.exportTrends)
	r(GET, "/api/v1/exports/completeness.xlsx", exporter, s.exportCompleteness)
	r(GET, "/api/v1/exports/maturity.xlsx", exporter, s.exportMaturity)
	r(GET, "/api/v1/exports/map.xlsx", exporter, s.exportMap)
	r(GET, "/api/v1/exports/province.xlsx", exporter, s.exportProvince)
	r(GET, "/api/v1/exports/worklist.xlsx", reader, s.exportWorklist) // the list itself: whoever may read it (canSeeUnit)
	r(GET, "/api/v1/reports", exporter, s.listReports)
	r(PUT, "/api/v1/reports/schedule", admin, s.setReportSchedule)
	r(POST, "/api/v1/reports/run", admin, s.runReports)
	r(GET, "/reports", exporter, s.reportsPage)
	r(POST, "/reports/schedule", admin, s.setReportSchedule)
	r(GET, "/reports/:name", exporter, s.reportFile)
	r(GET, "/upload", uploader, s.uploadPage)
	r(GET, "/api/v1/locks", reader, s.listLocks)
	r(POST, "/api/v1/locks", committee, s.lockMonth)
	r(DELETE, "/api/v1/locks/:period", committee, s.unlockMonth)
	r(GET, "/api/v1/audit", auditor, s.auditLog)
	r(GET, "/api/v1/audit/signin-failures", auditor, s.signinFailures)
	for _, m := range []string{POST, PUT, PATCH, DELETE} {
		r(m, "/api/v1/audit", open, auditIsAppendOnly)
		r(m, "/api/v1/audit/*", open, auditIsAppendOnly)
	}
	r(GET, "/api/v1/users", admin, s.listUsers)
	r(POST, "/api/v1/users", admin, s.addUser)
	r(POST, "/api/v1/users/:username/disable", admin, s.disableUser)
	r(GET, "/api/v1/tokens", admin, s.listTokens)
	r(POST, "/api/v1/tokens", admin, s.createToken)
	r(DELETE, "/api/v1/tokens/:id", admin, s.revokeToken)
	api := e.Group("/api/v1")
	api.Any("/*", func(c echo.Context) error {
		return data.Errorf(data.ErrNotFound, "không có địa chỉ API %s", "no such endpoint: %s", c.Request().URL.Path)
	})

	r(GET, "/", board, s.keepBodies(s.leaderboardPage))
	r(GET, "/trends", board, s.keepBodies(s.trendsPage))
	r(GET, "/units/:code", reader, s.keepBodies(s.unitPage))
	r(GET, "/completeness", reader, s.keepBodies(s.completenessPage))
	r(GET, "/map", reader, s.keepBodies(s.mapPage))
	r(GET, "/benchmark", reader, s.benchmarkPage)
	r(GET, "/maturity", reader, s.maturityPage)
	r(GET, "/worklist", reader, s.worklistPage)
	r(GET, "/api/v1/maturity", reader, s.maturity)
	r(GET, "/api/v1/indices/:name", reader, s.indices)
	if s.dossierLog != nil {
		r(GET, "/api/v1/dossiers/late", reader, s.lateDossiers)
		r(GET, "/dossiers", reader, s.dossiersPage)
		r(GET, "/api/v1/exports/late-dossiers.xlsx", exporter, s.exportLateDossiers)
	}
	r(GET, "/api/v1/ingest/runs", admin, s.listRuns)
	r(POST, "/api/v1/ingest/runs/:id/confirm", admin, s.confirmRunAPI)
	r(POST, "/runs/:id/confirm", admin, s.confirmRunPage)
	r(POST, "/api/v1/sources/:name/run", admin, s.runSource)
	r(GET, "/runs", admin, s.runsPage)
	r(GET, "/sources", admin, s.sourcesPage)
	r(POST, "/sources", admin, s.saveSourcesPage)
	r(GET, "/api/v1/sources", admin, s.getSources)
	r(PUT, "/api/v1/sources", admin, s.putSources)
	r(POST, "/api/v1/backup", admin, s.backup)
	r(GET, "/api/v1/capabilities", reader, s.listCapabilities)
	r(POST, "/api/v1/capabilities", uploader, s.postCapabilities)
	r(POST, "/api/v1/capabilities/:id/confirm", committee, s.confirmCapabilities)
	r(GET, "/api/v1/benchmarks/egdi", reader, s.egdi)
	r(GET, "/audit", auditor, s.auditPage)
	r(GET, "/login", open, s.loginPage)
	r(POST, "/login", open, s.login, limitBody(loginBodyLimit))
	r(POST, "/logout", reader, s.logout)
	r(GET, "/lang/:lang", open, s.setLang)
	r(GET, "/favicon.ico", open, func(c echo.Context) error {
		return c.Redirect(http.StatusMovedPermanently, assetURL("favicon.svg"))
	})
}
