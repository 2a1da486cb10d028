package dashboard

import (
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/egovkpi/egovkpi/data"
)

// messages holds every label of the pages, Vietnamese first.
var messages = map[string][2]string{
	// Issue 18 #3: what a reader used to see as a code or in English.
	"upload.choose":          {"Chọn tệp…", "Choose files…"},
	"status.current":         {"Đang dùng", "In force"},
	"status.superseded":      {"Đã được thay thế", "Replaced"},
	"status.accepted":        {"Đã nhận", "Accepted"},
	"status.rejected":        {"Bị từ chối", "Rejected"},
	"status.failed":          {"Lỗi", "Failed"},
	"status.waiting":         {"Chờ xác nhận", "Waiting for confirmation"},
	"status.dry_run":         {"Chỉ kiểm tra", "Checked only"},
	"status.identical":       {"Trùng tệp đã nộp", "Same as a file sent before"},
	"status.ok":              {"Thành công", "Succeeded"},
	"status.handled":         {"Đã xử lý", "Handled"},
	"src.demo":               {"Dữ liệu mẫu", "Demo data"},
	"src.upload":             {"Tải lên trên trang", "Uploaded on the page"},
	"src.api":                {"Gửi qua API", "Sent through the API"},
	"src.cli":                {"Nạp bằng dòng lệnh", "Loaded from the command line"},
	"src.dossiers":           {"Tính từ tệp hồ sơ", "Computed from a dossier export"},
	"src.source":             {"Nguồn tự động", "Scheduled source"},
	"src.capabilities":       {"Bảng tự đánh giá năng lực", "Capability checklist"},
	"actor.system":           {"Hệ thống", "The system"},
	"act.submit":             {"Nộp báo cáo", "Report sent"},
	"act.supersede":          {"Nộp lại báo cáo (thay phiên bản trước)", "Report sent again (replacing the previous version)"},
	"act.upload":             {"Tải tệp lên", "File uploaded"},
	"act.login":              {"Đăng nhập", "Signed in"},
	"act.logout":             {"Đăng xuất", "Signed out"},
	"act.user_add":           {"Thêm người dùng", "User added"},
	"act.user_disable":       {"Khóa người dùng", "User disabled"},
	"act.token_create":       {"Cấp khóa API", "API token issued"},
	"act.token_revoke":       {"Thu hồi khóa API", "API token revoked"},
	"act.setting":            {"Đổi cấu hình", "Setting changed"},
	"act.agency_add":         {"Thêm cơ quan", "Agency added"},
	"act.lock":               {"Chốt số liệu tháng", "Month locked"},
	"act.reopen":             {"Mở lại tháng đã chốt", "Month reopened"},
	"act.egdi_import":        {"Nạp Khảo sát Chính phủ điện tử của Liên hợp quốc", "UN E-Government Survey imported"},
	"act.index_import":       {"Nạp chỉ số quốc gia", "National index imported"},
	"act.export":             {"Xuất dữ liệu", "Data exported"},
	"act.backup":             {"Sao lưu", "Backup"},
	"act.assessment_confirm": {"Xác nhận bảng tự đánh giá", "Checklist confirmed"},
	"det.changes":            {"Thay đổi", "Changes"},
	"det.file":               {"Tệp", "File"},
	"det.kind":               {"Loại tệp", "Kind of file"},
	"det.status":             {"Kết quả", "Outcome"},
	"det.source":             {"Nguồn", "Source"},
	"det.bytes":              {"Dung lượng (byte)", "Size (bytes)"},
	"det.dry_run":            {"Chỉ kiểm tra", "Check only"},
	"det.errors":             {"Số lỗi", "Errors"},
	"det.first_error":        {"Lỗi đầu tiên", "First error"},
	"det.reason":             {"Lý do", "Reason"},
	"det.version":            {"Phiên bản", "Version"},
	"det.year":               {"Năm", "Year"},
	"det.countries":          {"Số quốc gia", "Countries"},
	"det.index":              {"Chỉ số", "Index"},
	"det.units":              {"Số đơn vị", "Units"},
	"det.unit":               {"Đơn vị", "Unit"},
	"det.username":           {"Người dùng", "User"},
	"det.role":               {"Vai trò", "Role"},
	"det.token_id":           {"Mã khóa", "Token"},
	"det.name":               {"Tên", "Name"},
	"det.key":                {"Cấu hình", "Setting"},
	"det.old":                {"Trước", "Before"},
	"det.new":                {"Sau", "After"},
	"det.province":           {"Tỉnh", "Province"},
	"det.name_vi":            {"Tên", "Name"},
	"det.assessment_id":      {"Bảng tự đánh giá số", "Checklist number"},
	"det.path":               {"Thư mục", "Folder"},
	"det.export":             {"Tệp xuất", "Export"},
	"det.period":             {"Kỳ", "Period"},
	"det.month":              {"Tháng", "Month"},
	"det.from":               {"Từ", "From"},
	"det.to":                 {"Đến", "To"},
	"det.group":              {"Nhóm", "Group"},
	"det.indicator":          {"Chỉ số", "Indicator"},
	"det.boundaries":         {"Địa giới", "Boundaries"},
	"det.all_versions":       {"Mọi phiên bản", "All versions"},
	"set.report_schedule":    {"Lịch lập báo cáo tự động", "Automatic report schedule"},
	"set.sources":            {"Cấu hình nguồn dữ liệu", "Source settings"},
	"period.hint":            {"10/2026, Quý III/2026, 2026", "2026-10, 2026-Q3, 2026, 2026-10-YTD"},
	"period.hint.month":      {"10/2026", "2026-10"},
	"err.diskfull":           {"Ổ đĩa của máy chủ đã đầy; chưa có gì được ghi: hãy báo quản trị viên rồi gửi lại.", "The server's disk is full; nothing of this was written: ask the administrator, then send it again."},
	"err.internal":           {"Lỗi máy chủ; chi tiết có trong nhật ký của máy chủ.", "Internal error; the server log has the details."},
	"err.timeout":            {"Yêu cầu xử lý quá lâu; hãy thử lại.", "The request took too long; try again."},
	"http.400":               {"Yêu cầu không hợp lệ: không đọc được nội dung gửi lên.", "Bad request: what was sent could not be read."},
	"http.401":               {"Hãy đăng nhập.", "Sign in first."},
	"http.403":               {"Không có quyền làm việc này.", "Not allowed."},
	"http.404":               {"Không có trang này.", "No such page."},
	"http.405":               {"Địa chỉ này không nhận phương thức yêu cầu đó.", "This address does not take that method."},
	"http.413":               {"Dữ liệu gửi lên quá lớn.", "What was sent is too large."},
	"http.415":               {"Không đọc được kiểu nội dung gửi lên.", "The content type sent is not supported."},
	"http.429":               {"Quá nhiều yêu cầu; hãy thử lại sau ít phút.", "Too many requests; try again in a few minutes."},
	"egdi.latest":            {"Kỳ khảo sát mới nhất đã nạp", "The latest edition imported"},
	"egdi.older":             {"Kỳ khảo sát cũ hơn (đã có kỳ mới hơn)", "An earlier edition (a later one is imported)"},
	// (end of issue 18 #3)

	"app":                   {"Chỉ số Chính phủ điện tử", "E-government KPIs"},
	"nav.leaderboard":       {"Bảng xếp hạng", "Leaderboard"},
	"nav.trends":            {"Xu hướng", "Trends"},
	"nav.completeness":      {"Đầy đủ báo cáo", "Reporting"},
	"lang.switch":           {"English", "Tiếng Việt"},
	"indicator":             {"Chỉ số", "Indicator"},
	"period":                {"Kỳ", "Period"},
	"group":                 {"Nhóm", "Group"},
	"boundaries":            {"Địa giới", "Boundaries"},
	"show":                  {"Xem", "Show"},
	"provinces":             {"Tỉnh, thành phố", "Provinces"},
	"ministries":            {"Bộ, ngành", "Ministries"},
	"current":               {"Hiện nay (34 tỉnh)", "Current (34 provinces)"},
	"historical":            {"Tại thời điểm", "As they were"},
	"rank":                  {"Hạng", "Rank"},
	"change":                {"Thay đổi", "Change"},
	"unit":                  {"Đơn vị", "Unit"},
	"value":                 {"Giá trị", "Value"},
	"numden":                {"Tử số / mẫu số", "Numerator / denominator"},
	"target":                {"Mục tiêu", "Target"},
	"national":              {"Cả nước", "National"},
	"provisional":           {"Số liệu tạm thời, tháng chưa chốt", "Provisional: the month has not closed"},
	"units.reported":        {"đơn vị đã nộp", "units have reported"},
	"deadline.at":           {"hạn nộp", "deadline"},
	"met":                   {"Đạt", "Met"},
	"notmet":                {"Chưa đạt", "Not met"},
	"up":                    {"tăng", "up"},
	"down":                  {"giảm", "down"},
	"same":                  {"không đổi", "no change"},
	"new":                   {"mới", "new"},
	"no_report":             {"Không báo cáo", "No report"},
	"nothing_to_measure":    {"Không phát sinh", "Nothing to measure"},
	"composite":             {"Chỉ số tổng hợp", "Composite index"},
	"points":                {"Điểm", "Points"},
	"grade":                 {"Xếp loại", "Grade"},
	"total":                 {"Tổng điểm", "Total"},
	"latest":                {"Tháng gần nhất", "Latest month"},
	"series":                {"Diễn biến theo tháng", "Month by month"},
	"submissions":           {"Các lần nộp báo cáo", "Submissions"},
	"version":               {"Phiên bản", "Version"},
	"source":                {"Nguồn", "Source"},
	"when":                  {"Thời điểm", "When"},
	"who":                   {"Người nộp", "By"},
	"status":                {"Trạng thái", "Status"},
	"predecessors":          {"Hợp nhất từ", "Merged from"},
	"breakdown":             {"Điểm theo nhóm tiêu chí", "Points by group"},
	"lost":                  {"Điểm bị mất", "Points lost"},
	"i766.title":            {"Chỉ số phục vụ người dân, doanh nghiệp (Quyết định 766)", "Service index (Decision 766)"},
	"i766.radar":            {"Điểm theo nhóm so với cả nước (% điểm tối đa)", "Groups against the national figure (% of the maximum)"},
	"i766.take":             {"Để đạt tối đa", "What it would take"},
	"i766.rate":             {"Tỷ lệ", "Rate"},
	"i766.incomplete":       {"Thiếu dữ liệu, tổng quy về 100 điểm trên các nhóm có dữ liệu", "Incomplete: the total is rescaled to 100 over the groups with data"},
	"to_next":               {"Cần thêm để lên hạng", "Needed for the next rank"},
	"to_target":             {"Cần thêm để đạt mục tiêu", "Needed to meet the target"},
	"on_time":               {"Đúng hạn", "On time"},
	"late":                  {"Muộn", "Late"},
	"missing":               {"Chưa nộp", "Missing"},
	"pending":               {"Chưa đến hạn", "Not yet due"},
	"expected":              {"Phải báo cáo", "Expected"},
	"received":              {"Đã nhận", "Received"},
	"missing_list":          {"Đơn vị chưa nộp báo cáo", "Units that have not reported"},
	"none_missing":          {"Tất cả đơn vị đã nộp báo cáo.", "Every unit has reported."},
	"last_upload":           {"Lần nộp gần nhất", "Last upload"},
	"heatmap":               {"Bản đồ nhiệt báo cáo (đơn vị × tháng)", "Reports heat map (units × months)"},
	"nodata":                {"Cơ sở dữ liệu chưa có số liệu: hãy nộp báo cáo tại trang Nộp báo cáo, hoặc nhờ quản trị viên nạp dữ liệu mẫu.", "The database holds no data yet: send reports on the Upload page, or ask the administrator to load the demo data."},
	"holds":                 {"Cơ sở dữ liệu có %s báo cáo của %s đơn vị, từ %s đến %s.", "The database holds %s reports from %s units, from %s to %s."},
	"trends.lead":           {"Số liệu cả nước theo tháng so với mục tiêu.", "National figures by month against their targets."},
	"outlier":               {"Bất thường, cần rà soát", "Unusual, to review"},
	"error":                 {"Lỗi", "Error"},
	"back":                  {"Về bảng xếp hạng", "Back to the leaderboard"},
	"months":                {"tháng", "months"},
	"nav.upload":            {"Nộp báo cáo", "Upload"},
	"nav.audit":             {"Nhật ký", "Audit log"},
	"login":                 {"Đăng nhập", "Sign in"},
	"logout":                {"Đăng xuất", "Sign out"},
	"menu":                  {"Danh mục", "Menu"},
	"username":              {"Tên đăng nhập", "Username"},
	"password":              {"Mật khẩu", "Password"},
	"login.wrong":           {"Sai tên đăng nhập hoặc mật khẩu.", "Wrong username or password."},
	"login.expired":         {"Biểu mẫu đã hết hạn; hãy thử lại.", "The form expired; try again."},
	"login.blocked":         {"Quá nhiều lần đăng nhập sai; hãy thử lại sau ít phút.", "Too many failed sign-ins; try again in a few minutes."},
	"role.admin":            {"quản trị", "administrator"},
	"role.committee":        {"Ban chỉ đạo", "committee"},
	"role.analyst":          {"phân tích", "analyst"},
	"role.officer":          {"cán bộ đơn vị", "unit officer"},
	"actor":                 {"Người thực hiện", "Actor"},
	"action":                {"Hành động", "Action"},
	"detail":                {"Chi tiết", "Detail"},
	"nav.map":               {"Bản đồ", "Map"},
	"map.note":              {"34 tỉnh, thành phố từ ngày 01/7/2025 (Nghị quyết 202/2025/QH15), ranh giới ghép từ ranh giới của các tỉnh cũ được hợp nhất. Quần đảo Hoàng Sa (TP Đà Nẵng) và Quần đảo Trường Sa (tỉnh Khánh Hòa) được thể hiện bằng ký hiệu đảo, tô màu theo giá trị của thành phố, tỉnh.", "The 34 provinces since 1 July 2025 (Resolution 202/2025/QH15), their boundaries joined from those of the former provinces merged into them. The Hoang Sa archipelago (Da Nang City) and the Truong Sa archipelago (Khanh Hoa Province) are shown by island symbols, coloured with their province's value."},
	"map.legend":            {"Màu đậm hơn: tốt hơn", "Darker is better"},
	"map.credit":            {"Ranh giới: chứa thông tin từ", "Boundaries: contain information from"},
	"map.license":           {"được cung cấp theo giấy phép", "made available under the"},
	"national.ministries":   {"Chung các bộ, ngành", "All ministries"},
	"current.ministries":    {"Hiện nay", "Current"},
	"asof.period":           {"Số liệu kỳ", "Figures for"},
	"asof.updated":          {"cập nhật lần cuối", "last updated"},
	"tile.change":           {"Thay đổi so với kỳ trước", "Change on the previous period"},
	"tile.since":            {"kỳ", "period"},
	"pp":                    {"điểm %", "points"},
	"tile.met":              {"Đơn vị đạt mục tiêu", "Units meeting the target"},
	"tile.notarget":         {"chỉ số chưa có mục tiêu", "no target for this indicator"},
	"tile.received":         {"Báo cáo đã nhận", "Reports received"},
	"tile.mean":             {"Điểm trung bình", "Mean score"},
	"tile.points":           {"trên thang 100 điểm", "out of 100 points"},
	"tile.pts":              {"điểm", "points"},
	"tile.good":             {"Đơn vị xếp loại Tốt trở lên", "Units graded Good or better"},
	"tile.orbetter":         {"trở lên", "or better"},
	"axis.from":             {"Trục giá trị bắt đầu từ %s, không từ 0, để thấy rõ chênh lệch giữa các đơn vị.", "The value axis starts at %s, not 0, to show the differences between units."},
	"chart.key":             {"Chú giải", "Key"},
	"nav.benchmark":         {"So sánh quốc tế", "International"},
	"egdi.year":             {"Năm khảo sát", "Survey year"},
	"egdi.vn":               {"Việt Nam trong Chỉ số Phát triển Chính phủ điện tử (EGDI) của Liên hợp quốc", "Viet Nam in the UN E-Government Development Index (EGDI)"},
	"egdi.in":               {"trong khu vực", "in"},
	"egdi.target":           {"Mục tiêu nhóm", "Target: top"},
	"egdi.points":           {"điểm EGDI", "EGDI points"},
	"egdi.fastest":          {"thành phần rút ngắn nhanh nhất:", "fastest to close through"},
	"egdi.method":           {"EGDI tính lại từ ba thành phần:", "EGDI recomputed from its components:"},
	"egdi.decimals":         {"chữ số thập phân như bản công bố", "decimals as published"},
	"egdi.differ":           {"nước có giá trị hoặc thứ hạng khác bản công bố (được đánh dấu).", "countries differ from the published value or rank (marked)."},
	"egdi.same":             {"Mọi giá trị và thứ hạng khớp với bản công bố.", "Every value and rank matches the published one."},
	"egdi.trajectory":       {"Thứ hạng của Việt Nam qua các kỳ khảo sát", "Viet Nam's rank, survey by survey"},
	"egdi.components":       {"Các thành phần", "Components"},
	"egdi.country":          {"Quốc gia", "Country"},
	"egdi.published":        {"Công bố", "Published"},
	"egdi.world":            {"Hạng thế giới (công bố)", "World rank (published)"},
	"egdi.flag":             {"khác bản công bố", "differs from the published"},
	"egdi.rank":             {"Hạng EGDI", "EGDI rank"},
	"egdi.source":           {"Nguồn: Khảo sát Chính phủ điện tử của Liên hợp quốc (UN DESA); vùng theo chuẩn M49.", "Source: UN E-Government Survey (UN DESA); regions as in the M49 standard."},
	"nav.maturity":          {"Mức độ trưởng thành", "Maturity"},
	"maturity.distribution": {"Số đơn vị theo mức độ qua các năm", "Units by level, year by year"},
	"maturity.matrix":       {"Năng lực của từng đơn vị", "Each unit's capabilities"},
	"maturity.level":        {"Mức", "Level"},
	"maturity.missing":      {"Còn thiếu để lên mức tiếp theo", "Still missing for the next level"},
	"maturity.derived":      {"suy ra từ các đơn vị trước hợp nhất", "derived from the units before the merger"},
	"maturity.yes":          {"có", "yes"},
	"maturity.no":           {"chưa", "no"},
	"maturity.levels":       {"Các mức độ", "The levels"},
	"maturity.12m":          {"12 tháng", "12 months"},
	"maturity.rule":         {"Một đơn vị đạt mức cao nhất mà nó đáp ứng mọi tiêu chí của mức đó và các mức dưới. Chỉ số tính trên 12 tháng gần nhất (cộng tử số, mẫu số).", "A unit is at the highest level whose criteria, and those of every level below, it meets. Indicators are over the last 12 months (numerators and denominators summed)."},
	"indices":               {"Chỉ số quốc gia hằng năm (DTI, ICT Index)", "Yearly national indices (DTI, ICT Index)"},
	"dossiers.late":         {"Hồ sơ trễ hạn theo thủ tục", "Late dossiers by procedure"},
	"nav.dossiers":          {"Hồ sơ trễ hạn", "Late dossiers"},
	"dossiers.byunit":       {"Theo đơn vị", "By unit"},
	"dossiers.share":        {"Tỷ lệ trễ hạn", "Share late"},
	"dossiers.none":         {"Chưa có dữ liệu hồ sơ cho tháng này: nộp tệp xuất hồ sơ (mỗi dòng một hồ sơ) tại trang Nộp báo cáo để biết hồ sơ nào trễ hạn.", "No dossier records for this month: send a dossier export (one row per dossier) on the Upload page to see which dossiers were late."},
	"dossiers.resolved":     {"hồ sơ đã giải quyết trong tháng", "dossiers resolved in the month"},
	"dossiers.resolvedlate": {"Giải quyết trễ hạn", "Resolved late"},
	"dossiers.overdue":      {"Quá hạn chưa giải quyết (cuối tháng)", "Open past due (month's end)"},
	"dossiers.lateof":       {"Giải quyết trễ hạn / đã giải quyết", "Resolved late / resolved"},
	"dossiers.procedure":    {"Thủ tục", "Procedure"},
	"dossiers.id":           {"Mã hồ sơ", "Dossier"},
	"dossiers.channel":      {"Kênh nộp", "Channel"},
	"dossiers.received":     {"Tiếp nhận", "Received"},
	"dossiers.due":          {"Hạn giải quyết", "Due"},
	"dossiers.resolvedat":   {"Giải quyết lúc", "Resolved"},
	"dossiers.open":         {"chưa giải quyết", "open"},
	"dossiers.days":         {"Số ngày trễ", "Days late"},
	"dossiers.most":         {"Những hồ sơ trễ nhiều nhất", "The latest of them"},
	"dossiers.all":          {"Toàn bộ danh sách (JSON)", "The whole list (JSON)"},
	"nav.worklist":          {"Việc cần làm tháng này", "This month's worklist"},
	"worklist.choose":       {"Chọn đơn vị để xem việc cần làm", "Choose a unit to see its worklist"},
	"worklist.closed":       {"Tháng đã kết thúc: danh sách cho biết hồ sơ nào đã làm mất điểm, không còn xử lý được.", "The month is over: the list says which dossiers cost points; nothing can be done now."},
	"worklist.all":          {"Nếu xử lý hết", "If all are dealt with"},
	"worklist.points":       {"điểm", "points"},
	"worklist.now":          {"điểm hiện tại", "points now"},
	"worklist.dossiers":     {"hồ sơ", "dossiers"},
	"worklist.none":         {"Không có hồ sơ nào làm mất điểm trong tháng này.", "No dossier is costing points this month."},
	"worklist.reasons":      {"Lý do", "Reasons"},
	"worklist.stake":        {"Điểm có thể mất", "Points at stake"},
	"worklist.lost":         {"Điểm đã mất", "Points lost"},
	"worklist.shown":        {"Hiển thị %s trong %s hồ sơ", "Showing %s of %s dossiers"},
	"worklist.next":         {"Trang sau", "Next page"},
	"worklist.how":          {"Điểm có thể mất: số điểm Chỉ số 766 của đơn vị tăng thêm nếu hồ sơ được xử lý (giải quyết đúng hạn, đồng bộ, số hóa, cấp kết quả điện tử), tính theo đúng quy tắc chấm điểm của chỉ số; chỉ tiêu đã đạt ngưỡng thì không được cộng thêm.", "Points at stake: what the unit's 766 index would gain were the dossier dealt with (resolved on time, synced, digitised, given an electronic result), by the index's own scoring; an indicator already at its threshold gains nothing more."},
	"why.due":               {"Sắp quá hạn trước cuối tháng", "Falls due before the month's end"},
	"why.unsynced":          {"Chưa đồng bộ lên Cổng Dịch vụ công quốc gia", "Not synced to the national portal"},
	"why.undigitised":       {"Chưa số hóa hồ sơ", "Not digitised"},
	"why.noelectronic":      {"Chưa cấp kết quả điện tử", "No electronic result"},
	"why.supplement":        {"Đang chờ công dân bổ sung hồ sơ", "Waiting on the citizen's supplement"},
	"dossiers.more":         {"và %d thủ tục khác", "and %d more procedures"},
	"nav.runs":              {"Nguồn dữ liệu tự động", "Scheduled sources"},
	"runs.sources":          {"Nguồn", "Sources"},
	"runs.none":             {"chưa có nguồn nào (quản trị viên khai báo tại trang Cấu hình nguồn dữ liệu)", "none yet (the administrator adds them on the Source settings page)"},
	"runs.rows":             {"Số bản ghi", "Rows"},
	"runs.failing":          {"Có nguồn dữ liệu đang lỗi", "A source is failing"},
	"nav.sources":           {"Cấu hình nguồn dữ liệu", "Source settings"},
	"sources.help":          {"Mỗi nguồn là một khối [[source]] (TOML). Giá trị bí mật ghi dạng env:TÊN_BIẾN và được đọc từ môi trường của máy chủ. Lưu xong, lịch chạy mới có hiệu lực ngay và thay đổi được ghi vào nhật ký.", "Each source is a [[source]] block (TOML). Secrets are written env:NAME and read from the server's environment. Saved sources take effect at once, and the change is in the audit log."},
	"nav.reports":           {"Báo cáo định kỳ", "Reports"},
	"reports.schedule":      {"Lịch lập báo cáo tự động (giờ Việt Nam)", "Automatic report schedule (Viet Nam time)"},
	"reports.none":          {"chưa đặt", "not set"},
	"reports.next":          {"lần tới", "next"},
	"reports.cron":          {"Lịch (cron: phút giờ ngày tháng thứ)", "Schedule (cron: minute hour day month weekday)"},
	"reports.save":          {"Lưu lịch", "Save"},
	"reports.file":          {"Tệp", "File"},
	"reports.size":          {"Dung lượng", "Size"},
	"reports.empty":         {"Chưa có báo cáo nào được lập.", "No report has been written yet."},
	"upload.template":       {"Tải mẫu báo cáo", "Download the report template"},
	"upload.download":       {"Tải mẫu (.xlsx)", "Download (.xlsx)"},
	"upload.send":           {"Nộp tệp báo cáo", "Send the report"},
	"upload.drop":           {"Kéo thả tệp báo cáo .xlsx, .csv hoặc tệp xuất hồ sơ (.csv, .parquet) vào đây, hoặc chọn tệp:", "Drop report files (.xlsx, .csv) or dossier exports (.csv, .parquet) here, or choose them:"},
	"upload.dossiers":       {"%d hồ sơ, %d đơn vị-tháng được tính lại", "%d dossiers, %d unit-months recomputed"},
	"upload.dry":            {"Chỉ kiểm tra, không lưu", "Check only, do not save"},
	"upload.accepted":       {"Đã nhận", "Accepted"},
	"upload.rejected":       {"Chưa nhận — cần sửa", "Not accepted — to fix"},
	"audit.from":            {"Từ ngày", "From"},
	"audit.to":              {"Đến ngày", "To"},
	"audit.prev":            {"Trang trước", "Previous"},
	"audit.next":            {"Trang sau", "Next"},
	"upload.sent":           {"đã nộp", "sent"},
	"upload.ontime":         {"đúng hạn", "on time"},
	"upload.late":           {"nộp muộn", "late"},
	"upload.notyet":         {"chưa nộp", "not sent yet"},
	"upload.overdue":        {"chưa nộp, đã quá hạn", "not sent, past the deadline"},
	"runs.confirm":          {"Xác nhận nhận tệp", "Confirm and accept the file"},
	"upload.waiting":        {"Chờ xác nhận — chưa ghi gì", "Waiting for confirmation — nothing written"},
	"upload.confirm":        {"Xác nhận thay bằng số liệu tính từ hồ sơ", "Confirm: replace with the figures from the dossiers"},
	"upload.reported":       {"đã báo cáo", "reported"},
	"upload.computed":       {"tính từ hồ sơ", "from the dossiers"},
	"upload.identical":      {"Tệp này đã được nộp trước đó; không có thay đổi", "This file was sent before; nothing changed"},
	"upload.dryok":          {"Hợp lệ (chưa lưu)", "Valid (not saved)"},
	"upload.marked":         {"Tải tệp đã đánh dấu ô lỗi", "Download the file with the bad cells marked"},
	"upload.warning":        {"Cảnh báo", "Warning"},
	"upload.unlisted":       {"%d mã thủ tục không có trong danh mục thủ tục đang hiệu lực; hồ sơ của chúng được tính như thủ tục không trả kết quả giấy và không có thời hạn giải quyết:", "%d procedure codes are not in the catalogue in force; their dossiers count as of procedures without a paper result and without a maximum time:"},
	"upload.unlistedMore":   {"và %d mã khác", "and %d more codes"},

	// Issue 17, reconciliation with the portal (page_reconcile.go).
	"nav.reconcile":      {"Đối chiếu với Cổng DVCQG", "Reconciling with the portal"},
	"reconcile.template": {"⬇ Mẫu tệp điểm của Cổng", "⬇ Portal scores template"},
	"reconcile.intro": {"Điểm Chỉ số 766 do Cổng Dịch vụ công quốc gia công bố, đặt cạnh điểm của egovkpi (tính từ hồ sơ); Δ = egovkpi − Cổng. Nhập tệp điểm của Cổng (Mã đơn vị hoặc Đơn vị, Kỳ, Tổng điểm, CKMB, TDGQ, ONLINE, TTTT, MDSH, MDHL, Xếp hạng) ở trang",
		"The 766 scores the National Public Service Portal publishes, beside egovkpi's computed from the records; Δ = egovkpi − portal. Import the portal's file (unit_code or the unit's name, period, total, CKMB, TDGQ, ONLINE, TTTT, MDSH, MDHL, rank) on the page"},
	"reconcile.none":     {"Chưa nhập điểm của Cổng cho %s.", "No portal scores have been imported for %s yet."},
	"reconcile.standing": {"Đối chiếu", "Standing"},
	"reconcile.portal":   {"Cổng", "Portal"},
	"reconcile.imports":  {"Các kỳ đã nhập điểm của Cổng", "Periods with the portal's scores"},
	"reconcile.legend":   {"⚠ lệch: chênh lệch vượt ngưỡng; ⚠ thiếu một bên: chỉ một bên có điểm của nhóm này.", "⚠ off: the difference is above the threshold; ⚠ one side only: only one side scores this group."},
}

// T returns the label in lang.
func T(lang, key string) string {
	m, ok := messages[key]
	if !ok {
		return key
	}
	if lang == "en" {
		return m[1]
	}
	return m[0]
}

func langOf(c echo.Context) string {
	if q := c.QueryParam("lang"); q == "en" || q == "vi" {
		return q
	}
	if ck, err := c.Cookie("lang"); err == nil && (ck.Value == "en" || ck.Value == "vi") {
		return ck.Value
	}
	// a program calling the API says its language in its request's header; a page's
	// language is the reader's choice (the cookie), not the browser's default
	if isAPI(c) {
		return acceptedLang(c.Request().Header.Get("Accept-Language"))
	}
	return "vi"
}

// acceptedLang is the first of Vietnamese and English an Accept-Language header prefers
// ("vi" when it names neither).
func acceptedLang(h string) string {
	best, bestQ := "vi", -1.0
	for _, part := range strings.Split(h, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		primary, _, _ := strings.Cut(strings.ToLower(tag), "-")
		if (primary == "vi" || primary == "en") && q > bestQ && q > 0 {
			best, bestQ = primary, q
		}
	}
	return best
}

// FormatNumber prints v with dec decimals in the reader's convention: 86,5 and 3.451 in
// Vietnamese, 86.5 and 3,451 in English.
// It is data.FormatNumber, which the upload's messages and the workbooks use too.
func FormatNumber(v float64, dec int, lang string) string { return data.FormatNumber(v, dec, lang) }

// FormatTime prints a time in Viet Nam time, in the reader's order.
func FormatTime(t time.Time, lang string) string {
	t = t.In(data.VietnamTime())
	if lang == "en" {
		return t.Format("2006-01-02 15:04")
	}
	return t.Format("15:04 02/01/2006")
}

// Issue 18 #3 helpers.

// Catalogue is a copy of the message catalogue, key → {Vietnamese, English}: the tests
// look for its English side on Vietnamese pages and the other way round.
func Catalogue() map[string][2]string {
	out := make(map[string][2]string, len(messages))
	for k, v := range messages {
		out[k] = v
	}
	return out
}
