// Driver for fuzz.py: reads "<kind><hex input>" lines, prints one result per
// line (newlines shown as <NL>). See fuzz.py for how to build and run it.
#include <iostream>
#include <string>
#include "config/environment.h"
#include "config/expand.h"
#include "config/python.h"
#include "config/ini.h"
using namespace bootmortem::config;
// stdin: lines "E<hex>" env, "X<hex>" expand, "S<hex>" shlex_split, "I<hex>" ini
static std::string unhex(const std::string& h){std::string o;for(size_t i=0;i+1<h.size();i+=2)o+=char(std::stoi(h.substr(i,2),nullptr,16));return o;}
int main(){ std::string line; Expansions d{{"here",std::string("/h")},{"n",3LL},{"s",std::string("x'y")}};
 while(std::getline(std::cin,line)){ char k=line[0]; std::string s=unhex(line.substr(1)); std::string out;
  try{ if(k=='E'){auto e=dict_of_key_value_pairs(s); out="{"; bool f=true; for(auto&[a,b]:e.entries()){ if(!f) out+=", "; f=false; out+=py_repr(a)+": "+py_repr(b);} out+="}";}
   else if(k=='X'){ out=py_repr(expand(s,d,"n"));}
   else if(k=='S'){ auto v=shlex_split(s); out="["; for(size_t i=0;i<v.size();++i){ if(i) out+=", "; out+=py_repr(v[i]);} out+="]";}
   else if(k=='I'){ IniDocument doc; doc.read(s,"f"); out="{"; bool f=true; for(auto& n:doc.sections()){ if(!f) out+=", "; f=false; out+=py_repr(n)+": {"; bool g=true; for(auto& o:doc.options(n)){ if(!g) out+=", "; g=false; out+=py_repr(o)+": "+py_repr(doc.get(n,o)->value);} out+="}";} out+="}";}
  }catch(const std::exception& e){ std::string w=e.what(); if(k=='I'){auto p=w.find(": "); w=w.substr(p+2);} out="ERR "+w;}
  std::string esc; for(char c:out){ if(c==10) esc+="<NL>"; else esc+=c;} std::cout<<esc<<"\n";}
}
