namespace Bootstrap.Core.Remote.Facts;

public enum InitSystem
{
    Unknown,
    Systemd,
    OpenRc,
    SysVinit,
}
