import AMQP
import Testing

@Suite struct ConfigurationURL {
    @Test func fullURL() throws {
        let c = try AMQPConfiguration(
            url: "amqp://user:p%40ss@broker.example:5673/town%2Fa?heartbeat=15&prefetch=10&frame_max=65536&connection_timeout=2500")
        #expect(c.host == "broker.example")
        #expect(c.port == 5673)
        #expect(c.user == "user")
        #expect(c.password == "p@ss")
        #expect(c.virtualHost == "town/a")
        #expect(c.heartbeat == 15)
        #expect(c.prefetch == 10)
        #expect(c.frameMax == 65536)
        #expect(c.connectTimeout == .milliseconds(2500))
        #expect(c.tls == nil)
        #expect(!c.description.contains("p@ss"))
    }

    @Test func defaults() throws {
        let c = try AMQPConfiguration(url: "amqp://localhost")
        #expect(c.port == 5672)
        #expect(c.virtualHost == "/")
        #expect(c.user == "guest")
        #expect(try AMQPConfiguration(url: "amqp://h/").virtualHost == "/")
        #expect(try AMQPConfiguration(url: "amqp://h/%2F").virtualHost == "/")
        #expect(try AMQPConfiguration(url: "amqp://[::1]:5000/v").host == "::1")
    }

    @Test func tlsAndSeparatePassword() throws {
        let c = try AMQPConfiguration(
            url: "amqps://mimamori@rabbit.city.example/mimamori?cacertfile=/etc/ca.pem&certfile=/c.pem&keyfile=/c.key",
            password: "from-credential-file")
        #expect(c.port == 5671)
        #expect(c.password == "from-credential-file")
        #expect(c.tls?.caFile == "/etc/ca.pem")
        #expect(c.tls?.certificateFile == "/c.pem")
        #expect(c.tls?.keyFile == "/c.key")
        #expect(c.tls?.verifyPeer == true)
        #expect(try AMQPConfiguration(url: "amqps://h?verify=verify_none").tls?.verifyPeer == false)
    }

    @Test(arguments: [
        "http://h", "amqp://h:99999", "amqp://h:x", "amqp://h/a/b", "amqp://h?heartbeat=-1", "amqp://h?bogus=1",
        "amqp://h?cacertfile=/x", "amqps://h?certfile=/c.pem", "amqp://h/%zz",
    ])
    func invalid(url: String) {
        #expect(throws: AMQPError.self) { try AMQPConfiguration(url: url) }
        do {
            _ = try AMQPConfiguration(url: url)
        } catch {
            #expect(error.code == .invalidConfiguration)
            #expect(!error.isRetriable)
            #expect(error.operatorHint.contains("broker URL"))
        }
    }
}
