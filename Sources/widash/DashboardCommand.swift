import ArgumentParser
import Foundation
import WidashSandbox
import WidashService
import WidashTUI

/// `widash` / `widash dashboard`: the full-screen dashboard.
struct DashboardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dashboard",
        abstract: "Open the dashboard (default).",
        discussion: """
            Keys follow k9s: `:` commands (:sa :pods :ctx :ns :fleet :doctor :theme NAME :skin FILE :q; Tab completes), `/` filter (`/-f` fuzzy), `?` help, \
            enter opens, esc goes back, t traces the selected pod, f fetches a test token, ctrl-c quits.
            `--fleet` opens on every kubeconfig context at once (`--contexts REGEX` picks some); enter opens a cluster, esc comes back.
            Settings are read from $XDG_CONFIG_HOME/widash/config.yaml (default ~/.config/widash/config.yaml); \
            flags override them.
            """)

    @OptionGroup var cluster: ClusterOptions

    @Option(help: "Theme name (default, dark, light, high-contrast, monochrome) or path to a theme or k9s skin .yaml file.")
    var theme: String?

    @Flag(help: "Show the whole test token in the token inspector (it is hidden by default).")
    var showToken = false

    @Flag(help: "Skip the trust audit: no cloud API reads, the TRUST column stays empty.")
    var noCloud = false

    @Flag(help: "Open on the fleet view: every kubeconfig context at once, one row per cluster (also `:fleet`).")
    var fleet = false

    @Option(help: ArgumentHelp("The fleet's contexts: only those whose name matches this regular expression (anywhere in the name; anchor with ^…$).",
                               valueName: "regex"))
    var contexts: String?

    /// Usage errors exit 2 with one `widash:` line, as every command's (not ArgumentParser's 64).
    private func checkFleetFlags() throws {
        if fleet && cluster.context != nil {
            throw ValidationError("--fleet shows every context: leave out --context, or pick contexts with --contexts REGEX")
        }
        guard let contexts else { return }
        guard fleet else { throw ValidationError("--contexts picks the fleet's contexts: add --fleet (or use `:fleet REGEX` in the dashboard)") }
        if let problem = FleetActions.regexProblem(contexts) { throw ValidationError("--contexts: \(problem)") }
    }

    func run() async throws {
        do { try checkFleetFlags() } catch { throw fail(error) }
        if let problem = DashboardRunner.terminalProblem() {
            FileHandle.standardError.write(Data((problem + "\n").utf8))
            throw ExitCode(2)
        }
        var startupMessage: String?
        var config = WidashConfig()
        do {
            config = try WidashConfig.load(env: ProcessInfo.processInfo.environment)
        } catch {
            // A bad config file must not keep the dashboard from opening: the banner names it, defaults apply.
            startupMessage = "\(error)"
        }
        var options = DashboardOptions(
            readOnly: cluster.readonly || (config.readOnly ?? false),
            showToken: showToken,
            autoRerunSeconds: config.autoRerunSeconds ?? 10,
            refreshSeconds: config.refreshSeconds ?? 30,
            resources: config.resources,
            namespace: cluster.allNamespaces ? nil : cluster.namespace, auditsTrust: !noCloud)
        options.startsOnFleet = fleet
        options.fleetContexts = contexts
        // `--theme` wins over the config file, per-context themes included.
        options.baseTheme = theme ?? config.startTheme
        if theme == nil { options.contextThemes = config.contextThemes }
        let environment: any DashboardEnvironment
        do {
            try bootstrapLogging(cluster)
            environment = try await makeEnvironment(options: options)
        } catch {
            throw fail(error)
        }
        let launch = DashboardLaunch(environment: environment, options: options, themeName: theme ?? config.startTheme,
                                     startupMessage: startupMessage)
        let code: Int32
        do {
            code = try await DashboardRunner.run(launch)
        } catch {
            FileHandle.standardError.write(Data("widash: \(error)\n".utf8))
            throw ExitCode(2)
        }
        // `Widash.main` leaves with `_exit`: the live feed's watch streams are still running on
        // libcurl threads, and atexit handlers would tear OpenSSL down under them.
        throw ExitCode(code)
    }

    // MARK: - Wiring

    /// A live session on the kubeconfig context or the demo sandbox; `:ctx` builds the next one
    /// the same way (on the same sandbox for the demo's contexts).
    func makeEnvironment(options: DashboardOptions) async throws -> any DashboardEnvironment {
        let factory = SessionFactory(options: cluster, readOnly: options.readOnly)
        let started = try await factory.start()
        let sandbox = started.sandbox
        let live = LiveEnvironment(session: started.session, showToken: options.showToken, auditsTrust: options.auditsTrust) { context in
            var next = factory
            next.options.context = context
            if let sandbox { return try next.demoSession(sandbox) }
            return try await next.start().session
        }
        // The fleet (`--fleet`, `:fleet`): the same kubeconfig (the demo's stays in memory), its
        // sessions made like the first one; each `:fleet REGEX` reads the contexts again.
        let kubeconfig: FleetKubeconfig = sandbox.map { .inMemory(yaml: Data($0.kubeconfigYAML().utf8), origin: "<demo sandbox>") }
            ?? .files(explicitPath: cluster.kubeconfig)
        let template = SessionTemplate(started.session.configuration)
        let relist = Duration.seconds(max(5, options.refreshSeconds))
        let namespace = options.namespace
        let auditTrust = options.auditsTrust
        return FleetEnvironment(base: live) { regex in
            let fleetOptions = FleetOptions(contextPattern: regex, auditTrust: auditTrust, namespace: namespace)
            return try FleetSession(kubeconfig: kubeconfig, options: fleetOptions, template: template).watch(relistEvery: relist)
        }
    }
}
