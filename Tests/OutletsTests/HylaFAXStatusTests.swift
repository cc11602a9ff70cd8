import Outlets
import Testing

/// `faxstat -s -d` as a HylaFAX 6 server prints it, in the default job format
/// (`%-4j %3i %1a %6.6o %-12.12e %5P %5D %7z %.25s`): the send queue, then the done queue.
/// Written from HylaFAX's documented formats (faxstat(1), the job states of `%a`, the modem's
/// call status texts), with made-up job ids and test numbers: no modem runs here.
let faxstatSendAndDone = """
    HylaFAX scheduler on mimamori.town.example.jp: Running
    Modem ttyACM0 (+81.73.489.5999): Sending job 120

    JID  Pri S  Owner Number       Pages Dials     TTS Status
    119  127 S mimamo 0734899961     0:1   2:12   10:41 Busy signal detected
    120  127 R mimamo 0734899962     0:1   1:12         
    123  127 B mimamo 0734899960     0:1   0:12         Blocked by concurrent job
    125  127 P mimamo 0734899966     0:2   0:12 3:52PM
    128  127 T mimamo 0734899969     0:1   0:12         

    JID  Pri S  Owner Number       Pages Dials     TTS Status
    118  127 D mimamo 0734899960     1:1   1:12         
    121  127 F mimamo 0734899963     0:1  12:12         No answer from remote
    122  127 F mimamo 0734899964     0:1  12:12         Busy signal detected
    124  127 F mimamo 0734899965     0:1   1:12         REJECT: Requested modulati
    126  127 F mimamo 0734899967     0:1   3:12         No carrier detected
    127  127 D mimamo 0734899968     2:2   1:12         
    """

@Suite("HylaFAX faxstat output: the job's state and last status as the FAX outcome")
struct HylaFAXStatusTests {
    @Test("every job line is read; the server, modem and heading lines are passed over")
    func jobsRead() {
        let jobs = HylaFAXJobStatus.parse(faxstatSendAndDone)
        #expect(jobs.map(\.job) == ["119", "120", "123", "125", "128", "118", "121", "122", "124", "126", "127"])
        let busy = jobs[0]
        #expect(busy.state == .sleeping && busy.dials == 2 && busy.pagesSent == 0 && busy.pagesTotal == 1)
        #expect(busy.status == "Busy signal detected")
        #expect(jobs[3].status == "")
        #expect(jobs.first { $0.job == "127" }?.pagesSent == 2)
    }

    @Test(
        "outcomes: done is transmitted; failed on a busy or unanswered line is busy or no-answer; still queued is none yet",
        arguments: [
            ("118", HylaFAXJobStatus.Outcome?.some(.transmitted)), ("127", .transmitted), ("121", .noAnswer), ("122", .busy),
            ("124", .failed), ("126", .noAnswer), ("119", nil), ("120", nil), ("123", nil), ("125", nil), ("128", nil),
        ])
    func outcomes(_ job: String, _ outcome: HylaFAXJobStatus.Outcome?) throws {
        let status = try #require(HylaFAXJobStatus.parse(faxstatSendAndDone).first { $0.job == job })
        #expect(status.outcome == outcome)
    }

    @Test(
        "what is not a job line is not a job",
        arguments: [
            "", "HylaFAX scheduler on localhost: Running", "JID  Pri S  Owner Number       Pages Dials     TTS Status",
            "Modem ttyS0 (+1.999.555.1212): Running and idle", "abc  127 D root 0734899960 1:1 1:12",
            "118  127 X root 0734899960     1:1   1:12", "118  127 D root 0734899960", "faxstat: Can not reach server",
        ])
    func notJobs(_ line: String) {
        #expect(HylaFAXJobStatus.parse(line).isEmpty)
    }

    @Test("the queue with a server that lists nothing")
    func empty() {
        #expect(
            HylaFAXJobStatus.parse("HylaFAX scheduler on localhost: Running\nModem ttyS0 (+1.999.555.1212): Running and idle\n").isEmpty)
    }
}
