using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace NetBet.Exchange.Stream;

/// <summary>
/// The fake Exchange Stream API: TLS on 127.0.0.1 with a certificate made at start (a throwaway CA, written as PEM for
/// the client's <c>--stream-ca</c>, and a server certificate it signed for <c>localhost</c> and <c>127.0.0.1</c>),
/// CRLF-delimited JSON, one <see cref="StreamSession"/> per connection fed by the shared <see cref="StreamPublisher"/>.
/// </summary>
internal sealed partial class StreamServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly X509Certificate2 _certificate;
    private readonly ConcurrentDictionary<StreamSession, byte> _sessions = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly ILogger _logger;
    private readonly Task _accepting;
    private readonly Task _disconnecting;
    private int _connections;

    public StreamServer(int port, StreamPublisher publisher, SimulatorFaults faults, Func<string, bool> isValidSession, ILogger logger)
    {
        Publisher = publisher;
        Faults = faults;
        IsValidSession = isValidSession;
        _logger = logger;
        (_certificate, CertificateAuthorityPem) = CreateCertificate();
        _listener = new TcpListener(IPAddress.Loopback, port);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync(_stop.Token);
        _disconnecting = DisconnectPeriodicallyAsync(_stop.Token);
    }

    public int Port { get; }

    /// <summary>The CA certificate that signed the server certificate, PEM.</summary>
    public string CertificateAuthorityPem { get; }

    /// <summary>Connections accepted so far.</summary>
    public int Connections => Volatile.Read(ref _connections);

    internal StreamPublisher Publisher { get; }

    internal SimulatorFaults Faults { get; }

    internal Func<string, bool> IsValidSession { get; }

    internal ILogger Logger => _logger;

    /// <summary>Closes every open connection now.</summary>
    public void DropConnections()
    {
        foreach (var session in _sessions.Keys)
        {
            session.Close();
        }
    }

    /// <summary>Open connections stop sending anything (no data, no heartbeats) while staying open.</summary>
    public void SilenceConnections()
    {
        foreach (var session in _sessions.Keys)
        {
            session.Silenced = true;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        DropConnections();
        try
        {
            await Task.WhenAll(_accepting, _disconnecting);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }

        _stop.Dispose();
        _certificate.Dispose();
    }

    private async Task AcceptAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(cancellationToken);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            var id = Interlocked.Increment(ref _connections);
            var session = new StreamSession(this, client, _certificate, $"sim-{id:D3}");
            _sessions[session] = 0;
            _ = RunSessionAsync(session, cancellationToken);
        }
    }

    private async Task RunSessionAsync(StreamSession session, CancellationToken cancellationToken)
    {
        try
        {
            await session.RunAsync(cancellationToken);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException or SocketException
            or System.Security.Authentication.AuthenticationException)
        {
            Log.SessionEnded(_logger, session.ConnectionId, e.GetType().Name);
        }
        finally
        {
            _sessions.TryRemove(session, out _);
            session.Dispose();
        }
    }

    private async Task DisconnectPeriodicallyAsync(CancellationToken cancellationToken)
    {
        var last = DateTime.UtcNow;
        while (!cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken);
            if (Faults.StreamDisconnectEvery is not { } every)
            {
                last = DateTime.UtcNow;
                continue;
            }

            if (DateTime.UtcNow - last >= every)
            {
                last = DateTime.UtcNow;
                Log.Dropping(_logger, _sessions.Count);
                DropConnections();
            }
        }
    }

    private static (X509Certificate2 Server, string CaPem) CreateCertificate()
    {
        var now = DateTimeOffset.UtcNow;
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=NetBet exchange simulator CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        using var ca = caRequest.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(30));

        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", serverKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        using var signed = request.Create(ca, now.AddMinutes(-5), now.AddDays(29), RandomNumberGenerator.GetBytes(12));
        using var withKey = signed.CopyWithPrivateKey(serverKey);

        // Round-trip through PKCS#12 so the key is usable by the TLS stack on every platform.
        var server = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
        return (server, ca.ExportCertificatePem());
    }

    private static partial class Log
    {
        [LoggerMessage(5211, LogLevel.Debug, "Stream session {ConnectionId} ended: {Reason}")]
        public static partial void SessionEnded(ILogger logger, string connectionId, string reason);

        [LoggerMessage(5212, LogLevel.Information, "Stream fault: dropping {Connections} connections")]
        public static partial void Dropping(ILogger logger, int connections);
    }
}
