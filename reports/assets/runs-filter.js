/* Filters the rows of a runs page by data-o (outcome) and data-f
   (space-separated fault types); inlined with the page's CSP nonce.
   Embedded at build time (reports/embed.cmake). */
(function(){
var o=document.getElementById('fo'),f=document.getElementById('ff'),c=document.getElementById('fc'),rows=document.querySelectorAll('#runs tbody tr');
function apply(){
var ov=o?o.value:'',fv=f.value,n=0;
for(var i=0;
i<rows.length;
i++){
var r=rows[i],s=(!ov||r.getAttribute('data-o')===ov)&&(!fv||(' '+r.getAttribute('data-f')+' ').indexOf(' '+fv+' ')>=0);
r.hidden=!s;
if(s)n++;
}c.textContent=String(n);
}if(o)o.addEventListener('change',apply);
f.addEventListener('change',apply);
apply();
})();

