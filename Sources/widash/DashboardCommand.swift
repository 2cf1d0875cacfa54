import ArgumentParser
import Foundation
import WidashSandbox
import WidashTUI

/// `widash` / `widash dashboard`: the full-screen dashboard.
struct DashboardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dashboard",
        abstract: "Open the dashboard (default).",
        discussion: """
            Keys follow k9s: `:` commands (:sa :pods :ctx :ns :doctor :theme NAME :q), `/` filter, `?` help, \
            enter opens, esc goes back, t traces the selected pod, f fetches a test token, ctrl-c quits.
            Settings are read from $XDG_CONFIG_HOME/widash/config.yaml (default ~/.config/widash/config.yaml); \
            flags override them.
            """)

    @OptionGroup var cluster: ClusterOptions

    @Option(help: "Theme name (default, dark, light, high-contrast, monochrome) or path to a theme .yaml file.")
    var theme: String?

    @Flag(help: "Show the whole test token in the token inspector (it is hidden by default).")
    var showToken = false

    @Flag(help: .hidden)
    var fixture = false

    func run() async throws {
        if let problem = DashboardRunner.terminalProblem() {
            FileHandle.standardError.write(Data((problem + "\n").utf8))
            throw ExitCode(2)
        }
        var startupMessage: String?
        var config = WidashConfig()
        do {
            config = try WidashConfig.load(env: ProcessInfo.processInfo.environment)
        } catch {
            // A bad config file must not keep the dashboard from opening: flash it, use the defaults.
            startupMessage = "\(error)"
        }
        let options = DashboardOptions(
            readOnly: cluster.readonly || (config.readOnly ?? false),
            showToken: showToken,
            autoRerunSeconds: config.autoRerunSeconds ?? 10,
            refreshSeconds: config.refreshSeconds ?? 30,
            resources: config.resources,
            namespace: cluster.allNamespaces ? nil : cluster.namespace)
        let environment: any DashboardEnvironment
        let sandbox: SandboxServer?
        do {
            try bootstrapLogging(cluster)
            (environment, sandbox) = try await makeEnvironment(options: options)
        } catch {
            throw fail(error)
        }
        defer { if let sandbox { Task { await sandbox.stop() } } }
        let launch = DashboardLaunch(environment: environment, options: options, themeName: theme ?? config.theme,
                                     startupMessage: startupMessage)
        let code: Int32
        do {
            code = try await DashboardRunner.run(launch)
        } catch {
            FileHandle.standardError.write(Data("widash: \(error)\n".utf8))
            throw ExitCode(2)
        }
        // The live feed's watch streams are still running on libcurl threads. A normal exit runs the
        // atexit handlers, which tear OpenSSL down under them: an intermittent crash at quit (exit
        // 139, seen in CI). The terminal is restored and logs are written unbuffered, so leave now.
        fflush(nil)
        _exit(code)
    }

    // MARK: - Wiring

    /// The fixture (hidden `--fixture`, for development), else a live session on the kubeconfig
    /// context or the demo sandbox. The sandbox is returned so it lives as long as the dashboard.
    func makeEnvironment(options: DashboardOptions) async throws -> (any DashboardEnvironment, SandboxServer?) {
        if fixture { return (FixtureEnvironment(readOnly: options.readOnly, showToken: options.showToken), nil) }
        var cluster = self.cluster
        cluster.readonly = options.readOnly
        let started = try await SessionFactory(options: cluster).start()
        let base = cluster
        let sandbox = started.sandbox
        let environment = LiveEnvironment(session: started.session, showToken: options.showToken) { context in
            var next = base
            next.context = context
            if let sandbox { return try SessionFactory(options: next).demoSession(sandbox) }
            return try await SessionFactory(options: next).start().session
        }
        return (environment, started.sandbox)
    }
}
