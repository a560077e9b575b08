using System.Text;
using IoTRoutes.Core.Communicators;
using IoTRoutes.Core.Communicators.FileTransfer;

namespace IoTRoutes.Tests.Communicators.FileTransfer;

/// <summary>The parts of the FTP client that read what servers send: replies and listings, as servers other than vsftpd write them.</summary>
public sealed class FtpProtocolTests
{
    [Fact]
    public async Task Replies_are_read_one_at_a_time_single_and_multi_line_with_crlf_or_lf()
    {
        var reader = Reader("220 Welcome\r\n211-Features:\r\n MLST type*;size*;\r\n UTF8\n211 End\r\n230 Logged in.\r\n");

        var greeting = await reader.ReadAsync(CancellationToken.None);
        var features = await reader.ReadAsync(CancellationToken.None);
        var login = await reader.ReadAsync(CancellationToken.None);

        Assert.Equal((220, "Welcome"), (greeting.Code, greeting.Text));
        Assert.Equal(211, features.Code);
        Assert.Equal(["211-Features:", " MLST type*;size*;", " UTF8", "211 End"], features.Lines);
        Assert.Equal("230 Logged in.", login.ToString());
    }

    [Fact]
    public async Task A_multi_line_reply_ends_only_at_its_own_code_followed_by_a_space()
    {
        var reply = await Reader("150-Here it comes\r\n226 is not the end\r\n150-nor this\r\n150 but this\r\n").ReadAsync(CancellationToken.None);

        Assert.Equal(4, reply.Lines.Count);
    }

    [Fact]
    public async Task A_server_that_is_not_ftp_is_a_protocol_failure()
    {
        var e = await Assert.ThrowsAsync<CommunicatorException>(() => Reader("SSH-2.0-OpenSSH_9.2p1\r\n").ReadAsync(CancellationToken.None));

        Assert.Equal(ConnectionFailure.Protocol, e.Failure);
        Assert.Contains("did not answer as an FTP server", e.Message);
    }

    [Fact]
    public async Task A_connection_closed_mid_reply_is_the_servers_failure()
    {
        var e = await Assert.ThrowsAsync<CommunicatorException>(() => Reader("421 Too many").ReadAsync(CancellationToken.None));

        Assert.Equal(ConnectionFailure.Unavailable, e.Failure);
    }

    [Theory]
    [InlineData(530, ConnectionFailure.Credentials)]
    [InlineData(421, ConnectionFailure.Unavailable)]
    [InlineData(452, ConnectionFailure.Unavailable)]
    [InlineData(550, ConnectionFailure.Protocol)]
    [InlineData(553, ConnectionFailure.Protocol)]
    public void Negative_replies_map_to_failure_kinds_with_the_servers_words(int code, ConnectionFailure kind)
    {
        var failure = new FtpReply(code, [$"{code} Server says why."]).ToFailure("ftp.example.com:21", "the upload of 'a.csv'");

        Assert.Equal(kind, failure.Failure);
        Assert.Contains($"{code} Server says why.", failure.Message);
        Assert.Contains("ftp.example.com:21", failure.Message);
    }

    [Fact]
    public void Mlsd_lines_give_files_with_sizes_and_skip_directories()
    {
        Assert.Equal(new RemoteFile("data 1.csv", 1234), FtpListing.ParseMlsd("type=file;size=1234;modify=20261206120000; data 1.csv"));
        Assert.Null(FtpListing.ParseMlsd("type=dir;modify=20261206120000; archive"));
        Assert.Null(FtpListing.ParseMlsd("type=cdir; ."));
        Assert.Null(FtpListing.ParseMlsd("garbage"));
    }

    [Fact]
    public void Unix_list_lines_give_files_with_sizes_and_names_with_spaces()
    {
        Assert.Equal(new RemoteFile("meter readings.csv", 5242880),
            FtpListing.ParseUnixList("-rw-r--r--    1 1001     1001      5242880 Dec 06 22:00 meter readings.csv"));
        Assert.Equal(new RemoteFile("old.bin", 7), FtpListing.ParseUnixList("-rw-r--r-- 1 ftp ftp 7 Jan  3  2024 old.bin"));
        Assert.Equal(new RemoteFile("nogroup.txt", 12), FtpListing.ParseUnixList("-rw-r--r-- 1 owner 12 Mar 14 09:30 nogroup.txt"));
        Assert.Null(FtpListing.ParseUnixList("drwxr-xr-x    2 1001     1001         4096 Dec 06 22:00 inbox"));
        Assert.Null(FtpListing.ParseUnixList("total 12"));
    }

    private static FtpReplyReader Reader(string text) => new(new MemoryStream(Encoding.UTF8.GetBytes(text)), "ftp.example.com:21");
}
