using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;

namespace Bootstrap.Ssh.Agent;

/// <summary>
/// A client of ssh-agent over its Unix socket (draft-miller-ssh-agent): lists the identities it holds and
/// asks it to sign. Private keys never leave the agent. One short connection per request, so it is safe
/// to use from several threads.
/// </summary>
internal sealed class SshAgentClient(string socketPath)
{
    private const byte Failure = 5;
    private const byte RequestIdentities = 11;
    private const byte IdentitiesAnswer = 12;
    private const byte SignRequest = 13;
    private const byte SignResponse = 14;

    /// <summary>An agent may ask its user to confirm a signature (<c>ssh-add -c</c>): allow time for that.</summary>
    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(60);

    /// <summary>No real answer is this large; a bigger length means the peer is not an agent.</summary>
    private const int MaxMessage = 256 * 1024;

    public string SocketPath { get; } = socketPath;

    /// <summary>The public key blobs (SSH wire format) and comments of the keys the agent holds.</summary>
    public IReadOnlyList<AgentIdentity> ListIdentities()
    {
        var reply = Request([RequestIdentities]);
        var reader = new WireReader(reply, SocketPath);
        if (reader.Byte() != IdentitiesAnswer)
        {
            throw new IOException($"ssh-agent at {SocketPath} refused to list its keys.");
        }

        var count = reader.UInt32();
        var identities = new List<AgentIdentity>();
        for (var i = 0u; i < count; i++)
        {
            identities.Add(new AgentIdentity(reader.String(), Encoding.UTF8.GetString(reader.String())));
        }

        return identities;
    }

    /// <summary>The agent's signature of <paramref name="data"/> with the key <paramref name="keyBlob"/>, as an SSH signature blob.</summary>
    public byte[] Sign(byte[] keyBlob, byte[] data, AgentSignFlags flags)
    {
        using var message = new MemoryStream();
        message.WriteByte(SignRequest);
        WriteString(message, keyBlob);
        WriteString(message, data);
        WriteUInt32(message, (uint)flags);
        var reply = Request(message.ToArray());
        var reader = new WireReader(reply, SocketPath);
        var type = reader.Byte();
        if (type == Failure)
        {
            throw new IOException($"ssh-agent at {SocketPath} refused to sign (the key was removed, or confirmation was denied).");
        }

        if (type != SignResponse)
        {
            throw new IOException($"ssh-agent at {SocketPath} answered a sign request with message {type}.");
        }

        return reader.String();
    }

    private byte[] Request(byte[] body)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.SendTimeout = socket.ReceiveTimeout = (int)ReplyTimeout.TotalMilliseconds;
        socket.Connect(new UnixDomainSocketEndPoint(SocketPath));
        var frame = new byte[4 + body.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)body.Length);
        body.CopyTo(frame, 4);
        socket.Send(frame);
        var header = ReceiveExactly(socket, 4);
        var length = BinaryPrimitives.ReadUInt32BigEndian(header);
        if (length is 0 or > MaxMessage)
        {
            throw new IOException($"{SocketPath} answered with a {length}-byte message: not an ssh-agent.");
        }

        return ReceiveExactly(socket, (int)length);
    }

    private byte[] ReceiveExactly(Socket socket, int count)
    {
        var buffer = new byte[count];
        var read = 0;
        while (read < count)
        {
            var n = socket.Receive(buffer, read, count - read, SocketFlags.None);
            if (n == 0)
            {
                throw new IOException($"ssh-agent at {SocketPath} closed the connection mid-answer.");
            }

            read += n;
        }

        return buffer;
    }

    private static void WriteString(Stream stream, byte[] value)
    {
        WriteUInt32(stream, (uint)value.Length);
        stream.Write(value);
    }

    private static void WriteUInt32(Stream stream, uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        stream.Write(bytes);
    }

    /// <summary>Reads SSH wire types (RFC 4251 §5) from an agent's answer; a truncated answer is an error naming the socket.</summary>
    private sealed class WireReader(byte[] data, string socketPath)
    {
        private int _offset;

        public byte Byte()
        {
            Need(1);
            return data[_offset++];
        }

        public uint UInt32()
        {
            Need(4);
            var value = BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(_offset));
            _offset += 4;
            return value;
        }

        public byte[] String()
        {
            var length = UInt32();
            Need(length);
            var value = data.AsSpan(_offset, (int)length).ToArray();
            _offset += (int)length;
            return value;
        }

        private void Need(uint count)
        {
            if (count > (uint)(data.Length - _offset))
            {
                throw new IOException($"ssh-agent at {socketPath} sent a truncated answer.");
            }
        }
    }
}
