//! Socket owners from what libproc says about each process: its socket descriptors and the
//! kernel handle of each socket (`soi_so` of [`SocketFdInfo`](super::procinfo::SocketFdInfo)),
//! which `pcblist_n` gives the same socket as `xso_so`, so [`InetSocket::inode`] finds its
//! owner in the map as a Linux inode does.
//!
//! The system calls are in the backend; this module only assembles their results, so tests
//! run it on Linux.
//!
//! [`InetSocket::inode`]: crate::inet::InetSocket::inode

use crate::process::{HeldSocket, InodeIndex, Owner, OwnerMap, SocketHolder};

/// What one process holds, as the backend read it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProcessSockets {
    pub pid: u32,
    /// The executable's path (`proc_pidpath`), or its name (`proc_name`) when the path is
    /// unknown; [`Owner::program`] shows its last component.
    pub path: Box<[u8]>,
    /// Socket descriptors and the kernel handle of each, in descriptor order.
    pub sockets: Vec<(i32, u64)>,
    /// The process's descriptors could not be listed (another user's, without root).
    pub denied: bool,
}

/// Socket handle → owner; the first process (in pid order) that holds a socket wins.
pub fn owner_map(processes: Vec<ProcessSockets>) -> OwnerMap {
    let handles = processes
        .iter()
        .flat_map(|p| p.sockets.iter().map(|&(_, so)| so));
    let mut map = OwnerMap {
        by_inode: InodeIndex::for_inodes(handles.collect()),
        ..OwnerMap::default()
    };
    for process in processes {
        map.access_denied |= process.denied;
        let index = u32::try_from(map.owners.len()).unwrap_or(u32::MAX);
        let mut holds_one = false;
        for (_, so) in process.sockets {
            holds_one |= map.by_inode.insert_first(so, index);
        }
        if holds_one {
            map.owners.push(Owner::new(process.pid, &process.path));
        }
    }
    map
}

/// One process as a [`SocketHolder`]: its path stands for the command line (the arguments
/// would need `KERN_PROCARGS2`), its sockets keyed by their handles.
pub fn holder(process: ProcessSockets, uid: Option<u32>) -> SocketHolder {
    let sockets = process
        .sockets
        .iter()
        .filter_map(|&(fd, so)| {
            Some(HeldSocket {
                fd: u32::try_from(fd).ok()?,
                inode: so,
            })
        })
        .collect();
    SocketHolder {
        pid: process.pid,
        uid,
        cmdline: process.path,
        cmdline_truncated: false,
        sockets,
    }
}

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;

    use super::*;
    use crate::inet::Protocol;
    use crate::sys::macos::pcblist::PcbList;
    use crate::sys::macos::pcblist::tests::{Builder, Spec};
    use crate::sys::macos::procinfo::SocketFdInfo;
    use crate::sys::macos::procinfo::tests::tcp_fdinfo;

    #[test]
    fn pcblist_sockets_find_their_owner_through_proc_pidfdinfo() {
        // The same socket seen twice: in the TCP list and as a descriptor of pid 4242.
        let so = 0x7fb0_3cb9_5fad_8165;
        let mut spec = Spec::v4(
            (Ipv4Addr::new(192, 168, 1, 221), 54860),
            (Ipv4Addr::new(140, 82, 113, 26), 443),
            Some(4),
        );
        spec.so = so;
        let mut other = spec.clone();
        other.so = 0x7fb0_3cb9_5fad_0000;
        let list = Builder::new(2).socket(&spec).socket(&other).finish(2);
        let listed: Vec<_> = PcbList::parse(&list, Protocol::Tcp)
            .unwrap()
            .sockets()
            .map(|s| s.unwrap().bsd.socket)
            .collect();
        let held = SocketFdInfo::parse(&tcp_fdinfo(so)).unwrap();
        assert_eq!(held.so, so);
        assert_eq!(held.inet.unwrap().inode, listed[0].inode, "one key");

        let process = ProcessSockets {
            pid: 4242,
            path: b"/usr/bin/ssh"[..].into(),
            sockets: vec![(3, held.so)],
            denied: false,
        };
        let denied = ProcessSockets {
            pid: 1,
            denied: true,
            ..ProcessSockets::default()
        };
        let map = owner_map(vec![denied, process.clone()]);
        assert!(map.access_denied);
        let owner = map.get(listed[0].inode).unwrap();
        assert_eq!((owner.pid, owner.program()), (4242, &b"ssh"[..]));
        assert_eq!(map.get(listed[1].inode), None, "nobody holds the other one");
        assert_eq!(
            map.owners().len(),
            1,
            "a process without sockets is no owner"
        );

        let holder = holder(process, Some(501));
        assert_eq!(holder.sockets, [HeldSocket { fd: 3, inode: so }]);
        assert_eq!((holder.pid, holder.uid), (4242, Some(501)));
    }

    #[test]
    fn the_first_holder_of_a_shared_socket_wins() {
        let parent = ProcessSockets {
            pid: 10,
            path: b"launchd"[..].into(),
            sockets: vec![(4, 7), (5, 8)],
            denied: false,
        };
        let child = ProcessSockets {
            pid: 11,
            path: b"sshd"[..].into(),
            sockets: vec![(3, 7)],
            denied: false,
        };
        let map = owner_map(vec![parent, child]);
        assert_eq!(map.get(7).unwrap().pid, 10);
        assert_eq!(map.len(), 2);
        assert_eq!(map.owners().len(), 1);
    }
}
