using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace NetBet.Ingest.Streaming;

/// <summary>
/// One TLS connection to an Exchange Stream host: CRLF-delimited JSON lines in both directions. The server
/// certificate is always validated: by the system's trust store, or by an extra CA (<c>--stream-ca</c>) for a
/// private server such as the simulator. Never turned off.
/// </summary>
internal sealed class StreamConnection : IAsyncDisposable
{
    /// <summary>Longest accepted line; a full image of a thousand markets is far below it.</summary>
    public const int MaxLineBytes = 64 << 20;

    private readonly TcpClient _tcp;
    private readonly SslStream _tls;
    private byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    private StreamConnection(TcpClient tcp, SslStream tls)
    {
        _tcp = tcp;
        _tls = tls;
    }

    /// <summary>Bytes read from the socket so far.</summary>
    public long BytesRead { get; private set; }

    /// <summary>Connects and completes the TLS handshake.</summary>
    /// <param name="host">Host name; also the name the certificate must carry.</param>
    /// <param name="port">TCP port.</param>
    /// <param name="extraCa">A CA trusted in addition to the system's, or null.</param>
    /// <param name="cancellationToken">Cancels the connect.</param>
    public static async Task<StreamConnection> ConnectAsync(string host, int port, X509Certificate2? extraCa, CancellationToken cancellationToken)
    {
        var tcp = new TcpClient { NoDelay = true };
        try
        {
            await tcp.ConnectAsync(host, port, cancellationToken);
            var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false, (_, certificate, chain, errors) => Validate(certificate, errors, extraCa));
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = host }, cancellationToken);
            return new StreamConnection(tcp, tls);
        }
        catch
        {
            tcp.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The next line without its CRLF, valid until the next call; empty at the end of the stream.
    /// </summary>
    /// <exception cref="InvalidDataException">A line is longer than <see cref="MaxLineBytes"/>.</exception>
    public async ValueTask<(bool Found, ReadOnlyMemory<byte> Line)> ReadLineAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var newline = _buffer.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                var line = _buffer.AsMemory(_start, newline);
                _start += newline + 1;
                if (line.Span.EndsWith("\r"u8))
                {
                    line = line[..^1];
                }

                return (true, line);
            }

            if (_start > 0)
            {
                Array.Copy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }

            if (_end == _buffer.Length)
            {
                if (_buffer.Length >= MaxLineBytes)
                {
                    throw new InvalidDataException($"a stream message is longer than {MaxLineBytes >> 20} MB");
                }

                Array.Resize(ref _buffer, _buffer.Length * 2);
            }

            var read = await _tls.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
            if (read == 0)
            {
                return (false, ReadOnlyMemory<byte>.Empty);
            }

            _end += read;
            BytesRead += read;
        }
    }

    /// <summary>Sends one JSON message followed by CRLF.</summary>
    public async Task WriteLineAsync(ReadOnlyMemory<byte> json, CancellationToken cancellationToken)
    {
        var line = new byte[json.Length + 2];
        json.Span.CopyTo(line);
        "\r\n"u8.CopyTo(line.AsSpan(json.Length));
        await _tls.WriteAsync(line, cancellationToken);
        await _tls.FlushAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _tls.DisposeAsync();
        _tcp.Dispose();
    }

    // The system's verdict stands unless the only problem is a chain the system does not trust and the extra CA
    // anchors it; a wrong host name is never accepted.
    private static bool Validate(X509Certificate? certificate, SslPolicyErrors errors, X509Certificate2? extraCa)
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }

        if (extraCa is null || errors != SslPolicyErrors.RemoteCertificateChainErrors || certificate is null)
        {
            return false;
        }

        using var server = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(extraCa);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(server);
    }
}
